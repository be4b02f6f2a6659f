"""The e-mail channel: buyers' mail read from an IMAP folder, replies sent through the mailbox's SMTP server."""
