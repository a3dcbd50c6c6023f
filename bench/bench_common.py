"""What the bench/ scripts share: pinning to a core, the self-signed
certificate and the fixed nginx of bench/nginx.conf (plain on 18081, HTTPS
on 18443). Importable because each script's own folder is on sys.path."""
import os
import shutil
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def pinned(core, argv):
    return ["taskset", "-c", str(core)] + argv


def make_certificate(directory):
    """A self-signed ECDSA certificate for IP:127.0.0.1, as nginx.conf expects it."""
    cert, key = os.path.join(directory, "bench-cert.pem"), os.path.join(directory, "bench-key.pem")
    if not os.path.exists(cert):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert


def start_nginx(tmp, core=1):
    """bench/nginx.conf on `core`, with its certificate in tmp/nginx; returns
    (process, folder). Fails loudly when nginx does not stay up: a bench
    against a dead server measures connection refusals."""
    conf_dir = os.path.join(tmp, "nginx")
    os.makedirs(conf_dir, exist_ok=True)
    shutil.copy(os.path.join(ROOT, "bench", "nginx.conf"), conf_dir)
    make_certificate(conf_dir)
    proc = subprocess.Popen(pinned(core, ["nginx", "-p", conf_dir, "-c", "nginx.conf",
                                          "-g", f"pid {conf_dir}/nginx.pid;"]),
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    time.sleep(0.5)
    if proc.poll() is not None:
        raise SystemExit(f"bench: nginx exited ({proc.returncode}) at start; try it by hand: "
                         f"nginx -p {conf_dir} -c nginx.conf")
    return proc, conf_dir
