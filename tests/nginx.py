"""Debian's nginx running deploy/nginx-sellerkit.conf on loopback ports, for the deploy and multi-node tests."""
import os
import shutil
import socket
import ssl
import subprocess
import time
from pathlib import Path

from tests.servers import free_port

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)


def site(certificate, key, http_port, https_port, nodes):
    """The shipped site with this test's certificate, loopback ports and upstream nodes ("host:port")."""
    text = (DEPLOY / "nginx-sellerkit.conf").read_text()
    text = text.replace("/etc/letsencrypt/live/shop.example.com/fullchain.pem", str(certificate))
    text = text.replace("/etc/letsencrypt/live/shop.example.com/privkey.pem", str(key))
    text = text.replace("    listen [::]:80;\n", "").replace("    listen [::]:443 ssl http2;\n", "")
    text = text.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    text = text.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
    for shipped, node in zip(("10.0.0.11:8000", "10.0.0.12:8000"), nodes, strict=True):
        text = text.replace(f"server {shipped} ", f"server {node} ")
    return text


def main_config(folder, site_text):
    """An nginx.conf that keeps everything (pid, logs, temporary files) in `folder` and includes the site."""
    (folder / "site.conf").write_text(site_text)
    temp = {name: folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir(exist_ok=True)
    main = folder / "nginx.conf"
    main.write_text("\n".join([
        "user root;" if os.geteuid() == 0 else "",  # the workers must read this test's folders
        "daemon off;", "worker_processes 1;", f"pid {folder / 'nginx.pid'};", f"error_log {folder / 'error.log'};",
        "events { worker_connections 256; }",
        "http {", "access_log off;",
        f"client_body_temp_path {temp['body']}; proxy_temp_path {temp['proxy']};",
        f"fastcgi_temp_path {temp['fastcgi']}; uwsgi_temp_path {temp['uwsgi']}; scgi_temp_path {temp['scgi']};",
        f"include {folder / 'site.conf'};", "}", ""]))
    return main


def start(folder, certificate_and_key, nodes):
    """Run nginx in front of `nodes`: returns (process, https port, a TLS context that trusts its certificate)."""
    folder.mkdir(parents=True, exist_ok=True)
    https_port = free_port()
    config = main_config(folder, site(*certificate_and_key, free_port(), https_port, nodes))
    process = subprocess.Popen([NGINX, "-c", str(config)], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while True:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", https_port)) == 0:
                break
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            raise RuntimeError(f"nginx did not start: {(folder / 'error.log').read_text()}")
        time.sleep(0.05)
    return process, https_port, ssl.create_default_context(cafile=str(certificate_and_key[0]))


def stop(process):
    process.terminate()
    process.wait(10)
