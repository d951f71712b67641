"""Writes of the integration: journals, roster batches, links, subject chats, webhooks. Keyword-only and typed; each
public service runs in one transaction and says which rows it locks."""
