"""The e-mail adapter: an email instance's `Mailer` (gate.flow.ports) over Python's smtplib."""
