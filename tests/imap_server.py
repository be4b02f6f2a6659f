"""A real IMAP server for tests: Debian's Dovecot on free loopback ports, with a throwaway config, CA and mailboxes."""
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from imapclient import IMAPClient

from tests.servers import free_port

DOVECOT = "/usr/sbin/dovecot"
MAILBOX_PASSWORD = "buyer mailbox password"


def dovecot_available():
    return os.path.exists(DOVECOT)


def _openssl(*arguments):
    subprocess.run(["openssl", *arguments], check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="session")
def test_ca(tmp_path_factory):
    """A throwaway certificate authority and a server certificate it signed for 127.0.0.1 and localhost:
    (CA file, certificate, key). Tests trust the CA through MAIL_CA_FILE, as a self-hoster with a private CA does."""
    return make_ca(tmp_path_factory.mktemp("ca"))


def make_ca(folder):
    """test_ca's files, made in `folder` (the benchmark's mailbox uses them too)."""
    ca_key, ca, key, request, certificate = (str(folder / name) for name in (
        "ca.key", "ca.pem", "server.key", "server.csr", "server.pem"))
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=sellerkit test CA",
             "-keyout", ca_key, "-out", ca)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", request)
    extensions = folder / "server.ext"
    extensions.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    _openssl("x509", "-req", "-in", request, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-days", "2",
             "-extfile", str(extensions), "-out", certificate)
    return ca, certificate, key


class Dovecot:
    """One running Dovecot: `port` speaks IMAP with STARTTLS, `tls_port` implicit TLS; one user, `user`."""

    def __init__(self, root, ca, certificate, key):
        self.root, self.ca = Path(root), ca
        self.port, self.tls_port = free_port(), free_port()
        self.user, self.password = "shop@example.com", MAILBOX_PASSWORD
        self.process = None
        # Dovecot will not read mail as root: as root the mailboxes belong to Debian's "mail" user.
        account = pwd.getpwnam("mail") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
        self.uid, self.gid = account.pw_uid, account.pw_gid
        home = self.root / "home"
        home.mkdir()
        os.chown(home, self.uid, self.gid)
        (self.root / "passwd").write_text(f"{self.user}:{{PLAIN}}{self.password}::::::\n")
        self.config = self.root / "dovecot.conf"
        self.config.write_text(f"""
protocols = imap
listen = 127.0.0.1
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
first_valid_uid = {self.uid}
default_internal_user = {account.pw_name}
default_login_user = {account.pw_name if os.geteuid() else "dovenull"}
ssl = yes
ssl_cert = <{certificate}
ssl_key = <{key}
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {self.root}/passwd
}}
userdb {{
  driver = static
  args = uid={self.uid} gid={self.gid} home={home}/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.tls_port}
    ssl = yes
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
""")

    def start(self):
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(self.config)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=2) as client:
                    client.capabilities()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("Dovecot did not start:\n" + self.log())

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
            self.process = None

    def log(self):
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def client(self):
        """A client logged in to the test mailbox (plain loopback: the test's own hands, not the app's)."""
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        client.login(self.user, self.password)
        return client

    def deliver(self, *mails, folder="INBOX"):
        """Put raw mails (bytes) into a folder with APPEND, as a mail server delivering them would."""
        with self.client() as client:
            if not client.folder_exists(folder):
                client.create_folder(folder)
            for mail in mails:
                client.append(folder, mail)

    def recreate(self, folder):
        """Delete the folder and make it again with the same mails: a new UIDVALIDITY, as after a server restore."""
        with self.client() as client:
            old = client.select_folder(folder)[b"UIDVALIDITY"]
            answers = client.fetch(client.search("ALL"), ["BODY.PEEK[]"])
            mails = [data[b"BODY[]"] for _uid, data in sorted(answers.items())]
            client.close_folder()
            client.delete_folder(folder)
            client.create_folder(folder)
            for mail in mails:
                client.append(folder, mail)
            assert client.select_folder(folder)[b"UIDVALIDITY"] != old


@pytest.fixture
def dovecot(test_ca):
    """A Dovecot started for one test on free loopback ports; its CA is test_ca's."""
    if not dovecot_available():
        pytest.skip(f"{DOVECOT} is not installed (apt-get install dovecot-imapd)")
    root = tempfile.mkdtemp(prefix="sk-dovecot-")  # under /tmp: the mail user must reach it, unlike pytest's
    os.chmod(root, 0o755)
    server = Dovecot(root, *test_ca)
    server.start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)
