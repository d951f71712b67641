// The whiteboard's test hook (web/messenger/board/board.js): the mounted board's view, read by the browser tests.
interface Window {
  partaBoard?: ReturnType<typeof import("../messenger/board/board.js").mountBoard>;
}
