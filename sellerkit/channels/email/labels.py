"""What the seller reads when a mailbox cannot be reached: each problem with what to fix."""
from sellerkit.i18n import lazy_gettext as _l

#: By ChannelError code (and a few finer causes); each says what to change.
ERRORS = {
    "dns": _l("The server name was not found. Check the spelling of the server name (for example imap.gmail.com)."),
    "network": _l("The server could not be reached. Check the server name and the port, and that the server is "
                  "running; then try again."),
    "timeout": _l("The server did not answer in time. Check the port and the encryption setting; if they are "
                  "right, the server may be busy, so try again later."),
    "tls": _l("A secure connection could not be made. Check the encryption setting (TLS or STARTTLS) and the port: "
              "TLS usually uses port 993 for IMAP and 465 for SMTP, STARTTLS 143 and 587."),
    "tls_certificate": _l("The server's certificate is not valid for this name. Use the server name your mail "
                          "provider gives (the one on its certificate), not an IP address or an alias."),
    "plain_remote": _l("Without encryption the password would cross the network readable by anyone: choose TLS or "
                       "STARTTLS (plain connections are allowed only to a server on this computer)."),
    "auth": _l("The mail server refused the user name or password. Check the user name (usually the whole e-mail "
               "address) and enter an app password: Gmail, Outlook.com, Yandex and Mail.ru refuse the account "
               "password here."),
    "folder": _l("This folder does not exist in the mailbox. Check its name (INBOX is the inbox) or leave it "
                 "empty."),
    "not_allowed": _l("This server name leads to an address sellerkit never connects to. Enter your mail "
                      "provider's server name."),
    "protocol": _l("The server answered something unexpected. Check that the port belongs to the IMAP server, "
                   "not to another service."),
    "smtp_dns": _l("The outgoing mail server's name was not found. Check the spelling of the SMTP server name."),
    "smtp_network": _l("The outgoing mail server could not be reached. Check the SMTP server name, its port and "
                       "its encryption setting (usually port 465 with TLS or 587 with STARTTLS)."),
    "smtp_tls": _l("A secure connection to the outgoing mail server could not be made. Check its encryption "
                   "setting and port, and use the server name your mail provider gives."),
    "smtp_auth": _l("The outgoing mail server refused the SMTP user name or password. Check them, or leave both "
                    "empty if the server needs no login."),
}

#: What passed, by step of the connection test.
PASSED = {
    "dns": _l("The server name was found."),
    "tls": _l("The connection is encrypted and the certificate is valid."),
    "plain": _l("Connected without encryption to a server on this computer."),
    "login": _l("Signed in to the mailbox."),
    "folder": _l("The folder was found."),
    "smtp": _l("The outgoing mail server accepted the connection."),
}
