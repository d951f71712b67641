// «Управление чатами»: while a chat is being created, look again every few seconds (the worker delivers it within
// seconds).
if (document.querySelector('tr[data-status="creating"]')) {
  setTimeout(() => location.reload(), 3000);
}
