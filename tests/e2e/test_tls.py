#!/usr/bin/env python3
"""End-to-end TLS tests: mail2webhook against HTTPS servers on 127.0.0.1.

    python3 test_tls.py BUILD/mail2webhook tests/data/messages/sample.eml

The test makes its own CAs and certificates with the openssl command (good,
wrong host name, expired, signed by an untrusted CA, a client certificate)
in a temporary directory. Without openssl it exits 77 (skip).
"""

import os
import shutil
import ssl
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_harness import Cases  # noqa: E402
from webhook_server import WebhookServer  # noqa: E402

cases = Cases(__doc__.splitlines()[0])

CA_CONFIG = """\
[ ca ]
default_ca = default
[ default ]
dir = {dir}
database = {dir}/index.txt
new_certs_dir = {dir}
serial = {dir}/serial
default_md = sha256
policy = anything
copy_extensions = copy
unique_subject = no
[ anything ]
commonName = supplied
"""


class Pki:
    """CAs and certificates made once for all cases."""

    def __init__(self, root):
        self.root = root

    def path(self, name):
        return os.path.join(self.root, name)

    def openssl(self, *args):
        subprocess.run(["openssl", *args], check=True, cwd=self.root,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def make_ca(self, name):
        d = self.path(name)
        os.makedirs(d)
        with open(os.path.join(d, "index.txt"), "w"):
            pass
        with open(os.path.join(d, "serial"), "w") as f:
            f.write("1000\n")
        with open(os.path.join(d, "ca.cnf"), "w") as f:
            f.write(CA_CONFIG.format(dir=d))
        self.openssl("req", "-x509", "-newkey", "ec", "-pkeyopt",
                     "ec_paramgen_curve:prime256v1", "-nodes",
                     "-keyout", f"{d}/ca.key", "-out", f"{d}/ca.pem",
                     "-days", "2", "-subj", f"/CN=mail2webhook test {name}")

    def issue(self, ca, name, cn, san=None, start=None, end=None):
        """Key and certificate NAME.key / NAME.pem signed by CA."""
        d = self.path(ca)
        cmd = ["req", "-new", "-newkey", "ec", "-pkeyopt",
               "ec_paramgen_curve:prime256v1", "-nodes",
               "-keyout", self.path(name + ".key"),
               "-out", self.path(name + ".csr"), "-subj", f"/CN={cn}"]
        if san:
            cmd += ["-addext", f"subjectAltName={san}"]
        self.openssl(*cmd)
        dates = (["-startdate", start, "-enddate", end] if start
                 else ["-days", "2"])
        self.openssl("ca", "-batch", "-notext", "-config", f"{d}/ca.cnf",
                     "-cert", f"{d}/ca.pem", "-keyfile", f"{d}/ca.key",
                     "-in", self.path(name + ".csr"),
                     "-out", self.path(name + ".pem"), *dates)
        os.chmod(self.path(name + ".key"), 0o600)

    def build(self):
        self.make_ca("ca")
        self.make_ca("other-ca")
        loop = "IP:127.0.0.1,DNS:localhost"
        self.issue("ca", "good", "127.0.0.1", loop)
        self.issue("ca", "wrong-host", "wrong.example", "DNS:wrong.example")
        self.issue("ca", "expired", "127.0.0.1", loop,
                   "20200101000000Z", "20200201000000Z")
        self.issue("other-ca", "untrusted", "127.0.0.1", loop)
        self.issue("ca", "client", "mail2webhook client")
        capath = self.path("capath")
        os.makedirs(capath)
        shutil.copy(self.path("ca/ca.pem"), capath)
        self.openssl("rehash", capath)


PKI = None


def server_context(pki, cert, client_ca=None, max_version=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pki.path(cert + ".pem"), pki.path(cert + ".key"))
    if client_ca:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(pki.path(client_ca))
    if max_version:
        ctx.maximum_version = max_version
    return ctx


def https(cert, **kw):
    return WebhookServer(200, tls=server_context(PKI, cert, **kw))


def run_ok(t, srv, *args):
    res = t.run(["--retries", "0", "--timeout", "5", *args, srv.url()])
    t.expect_exit(res, 0)
    t.expect_silent(res)
    t.expect_count(srv, 1)


def run_refused(t, srv, *args, prefix="4.7.5"):
    res = t.run(["--retries", "0", "--timeout", "5", *args, srv.url()])
    t.expect_exit(res, 75)
    t.expect_status_line(res, prefix)
    t.expect_count(srv, 0)


@cases.case("good-certificate-with-cacert")
def _(t):
    with https("good") as srv:
        run_ok(t, srv, "--cacert", PKI.path("ca/ca.pem"))


@cases.case("good-certificate-with-capath")
def _(t):
    with https("good") as srv:
        run_ok(t, srv, "--capath", PKI.path("capath"))


@cases.case("localhost-name-matches")
def _(t):
    ctx = server_context(PKI, "good")
    with WebhookServer(200, tls=ctx, host="localhost") as srv:
        run_ok(t, srv, "--cacert", PKI.path("ca/ca.pem"))


@cases.case("test-ca-not-trusted-by-default")
def _(t):
    with https("good") as srv:
        run_refused(t, srv)


@cases.case("wrong-host-name-refused")
def _(t):
    with https("wrong-host") as srv:
        run_refused(t, srv, "--cacert", PKI.path("ca/ca.pem"))


@cases.case("expired-certificate-refused")
def _(t):
    with https("expired") as srv:
        run_refused(t, srv, "--cacert", PKI.path("ca/ca.pem"))


@cases.case("untrusted-ca-refused")
def _(t):
    with https("untrusted") as srv:
        run_refused(t, srv, "--cacert", PKI.path("ca/ca.pem"))


@cases.case("client-certificate-required")
def _(t):
    with https("good", client_ca="ca/ca.pem") as srv:
        res = t.run(["--retries", "0", "--timeout", "5",
                     "--cacert", PKI.path("ca/ca.pem"), srv.url()])
        t.expect_exit(res, 75)
        t.expect_status_line(res, "4.")
        t.expect_count(srv, 0)
        run_ok(t, srv, "--cacert", PKI.path("ca/ca.pem"),
               "--cert", PKI.path("client.pem"),
               "--key", PKI.path("client.key"))


@cases.case("client-certificate-from-other-ca-refused")
def _(t):
    with https("good", client_ca="other-ca/ca.pem") as srv:
        res = t.run(["--retries", "0", "--timeout", "5",
                     "--cacert", PKI.path("ca/ca.pem"),
                     "--cert", PKI.path("client.pem"),
                     "--key", PKI.path("client.key"), srv.url()])
        t.expect_exit(res, 75)
        t.expect_count(srv, 0)


@cases.case("tls-min-version-1.3-refuses-a-1.2-server")
def _(t):
    with https("good", max_version=ssl.TLSVersion.TLSv1_2) as srv:
        run_refused(t, srv, "--cacert", PKI.path("ca/ca.pem"),
                    "--tls-min-version", "1.3")
    with https("good", max_version=ssl.TLSVersion.TLSv1_2) as srv:
        run_ok(t, srv, "--cacert", PKI.path("ca/ca.pem"),
               "--tls-min-version", "1.2")
    with https("good") as srv:
        run_ok(t, srv, "--cacert", PKI.path("ca/ca.pem"),
               "--tls-min-version", "1.3")


@cases.case("tls-bad-settings-4.3.5")
def _(t):
    with https("good") as srv:
        for args in (["--tls-min-version", "1.0"],
                     ["--cacert", PKI.path("no-such.pem")],
                     ["--cert", PKI.path("no-such.pem")]):
            res = t.run([*args, srv.url()])
            t.expect_exit(res, 75)
            t.expect_status_line(res, "4.3.5")
        t.expect_count(srv, 0)


@cases.case("https-basic-auth-and-signature")
def _(t):
    with https("good") as srv:
        res = t.run(["--retries", "0", "--cacert", PKI.path("ca/ca.pem"),
                     srv.url(userinfo="u:p")])
        t.expect_exit(res, 0)
        t.check(srv.count() == 1 and
                srv.requests()[0].header("Authorization") == "Basic dTpw",
                "no Basic authentication over HTTPS")


def main():
    global PKI
    if shutil.which("openssl") is None:
        print("SKIP: the openssl command is not installed")
        return 77
    with tempfile.TemporaryDirectory(prefix="m2w-tls-") as tmp:
        PKI = Pki(tmp)
        try:
            PKI.build()
        except subprocess.CalledProcessError as exc:
            print(f"FAIL setup: openssl {exc.args}: {exc.stderr!r}")
            return 1
        return cases.main()


if __name__ == "__main__":
    sys.exit(main())
