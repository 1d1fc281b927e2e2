"""deploy/, read as files: no Docker daemon runs here, so the Dockerfile and compose.yaml are
parsed and their essentials checked; the balancer's config is checked by HAProxy itself.
tests/test_deploy_k8s.py reads the Kubernetes manifests; tests/test_balancer.py runs the replicas
and HAProxy for real."""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
sys.path.insert(0, str(DEPLOY))
import haproxy_cfg  # noqa: E402  (deploy/ is scripts, not a package)

HEALTH = "/_stcore/health"
SECRET_ENV = "STREAMLIT_SERVER_COOKIE_SECRET"


# ---- the Dockerfile ---------------------------------------------------------------------------------
def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order: comments dropped, continuation lines joined."""
    out, buf = [], ""
    for line in (DEPLOY / "Dockerfile").read_text().splitlines():
        if line.lstrip().startswith("#") and not buf:
            continue
        if line.lstrip().startswith("#"):
            continue                                    # a comment inside a continued instruction
        buf += line.rstrip()
        if buf.endswith("\\"):
            buf = buf[:-1] + " "
            continue
        if buf.strip():
            word, _, rest = buf.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
        buf = ""
    return out


def readme_install_file() -> str:
    """The requirements file of the README's install command (Start the app)."""
    m = re.search(r"pip install -r (\S+) && streamlit run app\.py", (ROOT / "README.md").read_text())
    assert m, "the README's install command moved"
    return m.group(1)


def test_the_dockerfile_pins_a_slim_python_base():
    froms = [args for word, args in dockerfile() if word == "FROM"]
    assert len(froms) == 1, froms
    m = re.fullmatch(r"python:(\d+)\.(\d+)\.(\d+)-slim(-\w+)?(@sha256:[0-9a-f]{64})?", froms[0])
    assert m, f"the base must be an official slim Python pinned to a full version, got {froms[0]}"
    assert (int(m[1]), int(m[2])) >= (3, 11), "the README asks for Python >= 3.11"


def test_the_dockerfile_installs_the_readmes_pinned_requirements():
    name = readme_install_file()
    steps = dockerfile()
    assert ("COPY", f"{name} ./") in steps, steps
    assert any(w == "RUN" and re.search(rf"pip install (--\S+ )*-r {re.escape(name)}\b", a) for w, a in steps), steps
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][\w.]*", line), f"{name}: not pinned: {line!r}"


def test_the_app_runs_as_a_non_root_user_the_manifests_agree_on():
    steps = dockerfile()
    users = [(i, a) for i, (w, a) in enumerate(steps) if w == "USER"]
    assert users, "no USER: the app would run as root"
    last_user, user = users[-1]
    assert user not in ("0", "root") and not user.startswith("0:"), user
    cmd_at = max(i for i, (w, _) in enumerate(steps) if w == "CMD")
    assert last_user < cmd_at
    assert not any(w == "RUN" for w, _ in steps[last_user:]), "a RUN after USER runs as the app's user"
    # Kubernetes runs it as the same numeric user (runAsNonRoot can only check a number).
    from tests.test_deploy_k8s import deployment
    assert user.isdigit()
    pod = deployment()["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert str(pod["securityContext"]["runAsUser"]) == user
    assert any(w == "RUN" and f"--gid {user}" in a for w, a in steps), "the user's group should be its uid too"
    assert str(pod["securityContext"]["runAsGroup"]) == user


def test_the_health_check_asks_streamlits_health_endpoint():
    checks = [a for w, a in dockerfile() if w == "HEALTHCHECK"]
    assert len(checks) == 1 and HEALTH in checks[0], checks
    assert "CMD" in checks[0]


def test_the_command_is_streamlit_run_with_production_flags():
    cmd = [a for w, a in dockerfile() if w == "CMD"]
    assert cmd == ['["sh", "deploy/serve.sh"]'], cmd
    serve = (DEPLOY / "serve.sh").read_text()
    run = re.search(r"^exec streamlit run app\.py((?:.*\\\n)*.*)$", serve, re.M)
    assert run, "deploy/serve.sh must exec `streamlit run app.py`"
    flags = dict(f.split("=", 1) for f in shlex.split(run.group(1).replace("\\\n", " ")))
    assert flags["--server.headless"] == "true"
    assert flags["--browser.gatherUsageStats"] == "false"
    assert flags["--server.enableXsrfProtection"] == "true"
    # The cookie secret comes from the environment, never from a flag (it would show in `ps`).
    assert not any("cookieSecret" in f for f in flags)
    assert SECRET_ENV in serve


@pytest.mark.parametrize("secret", [None, "too-short"])
def test_a_replica_refuses_to_start_without_a_shared_secret(secret):
    env = {k: v for k, v in os.environ.items() if k != SECRET_ENV}
    if secret:
        env[SECRET_ENV] = secret
    out = subprocess.run(["sh", str(DEPLOY / "serve.sh")], env=env, capture_output=True, text=True, timeout=30)
    assert out.returncode == 64, (out.returncode, out.stderr)
    assert SECRET_ENV in out.stderr


def test_the_image_leaves_out_tests_but_keeps_the_app():
    ignored = [line.strip() for line in (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    for needed in ("app.py", "core", "explorer", ".streamlit", "requirements.txt", "deploy/serve.sh"):
        assert not any(needed == p or needed.startswith(p.rstrip("/") + "/") for p in ignored), needed
    for left_out in (".git", "tests", "bench"):
        assert left_out in ignored


# ---- compose and the balancer's rules ----------------------------------------------------------------
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def app_services(doc: dict) -> dict:
    return {name: s for name, s in doc["services"].items() if s.get("image") == "backprop-explorer:local"}


def test_compose_runs_replicas_haproxy_and_redis():
    doc = compose()
    apps = app_services(doc)
    assert len(apps) >= 2, list(doc["services"])
    builds = [name for name, s in apps.items() if "build" in s]
    assert len(builds) == 1 and apps[builds[0]]["build"]["dockerfile"] == "deploy/Dockerfile"
    for name, s in apps.items():
        env = s["environment"]
        # The same secret on every replica, and compose refuses to start without it.
        assert re.fullmatch(r"\$\{COOKIE_SECRET:\?[^}]+\}", env[SECRET_ENV]), (name, env[SECRET_ENV])
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert s["restart"] == "unless-stopped"
    assert len({s["environment"][SECRET_ENV] for s in apps.values()}) == 1
    haproxy = doc["services"]["haproxy"]
    assert "./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in haproxy["volumes"]
    assert haproxy["ports"] == ["80:8080"] and haproxy_cfg.COMPOSE_BIND == ":8080"
    redis = doc["services"]["redis"]
    assert redis["image"].startswith("redis:") and "ports" not in redis
    assert "redis-cli" in redis["healthcheck"]["test"]


def test_composes_haproxy_cfg_is_the_template_rendered_for_its_replicas():
    names = list(app_services(compose()))
    assert (DEPLOY / "haproxy.cfg").read_text() == haproxy_cfg.render_compose(names), \
        f"deploy/haproxy.cfg is stale: run python deploy/haproxy_cfg.py --replicas {' '.join(names)}"


def directives(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def seconds(value: str) -> float:
    m = re.fullmatch(r"(\d+)(ms|s|m|h)?", value)
    return int(m[1]) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, None: 0.001}[m[2]]


def test_the_rules_are_sticky_upgrade_websockets_last_a_lesson_and_check_health():
    lines = directives(haproxy_cfg.render([("r1", "127.0.0.1:1"), ("r2", "127.0.0.1:2")], "127.0.0.1:3"))
    assert "mode http" in lines                          # HTTP mode: the WebSocket upgrade passes through
    cookie = next(line for line in lines if line.startswith("cookie "))
    assert re.fullmatch(r"cookie bpx_replica insert indirect nocache httponly", cookie), cookie
    assert "server r1 127.0.0.1:1 cookie r1" in lines and "server r2 127.0.0.1:2 cookie r2" in lines
    balance = next(line for line in lines if line.startswith("balance "))
    assert balance.split()[1] not in ("source", "hdr(x-forwarded-for)"), "address affinity puts a NAT'd class on one replica"
    assert "option redispatch 1" in lines
    timeouts = {line.split()[1]: seconds(line.split()[2]) for line in lines if line.startswith("timeout ")}
    assert timeouts["tunnel"] >= 3600, "both WebSockets must outlast an hour's lesson"
    assert timeouts["client"] >= 30 and timeouts["server"] >= 30
    assert "option httpchk" in lines and f"http-check send meth GET uri {HEALTH}" in lines
    assert "http-check expect status 200" in lines
    default_server = next(line for line in lines if line.startswith("default-server "))
    words = default_server.split()
    assert "check" in words
    # A dead replica is out after `fall` failed checks: within ~inter + fall × fastinter.
    out_within = seconds(words[words.index("inter") + 1]) + int(words[words.index("fall") + 1]) * \
        seconds(words[words.index("fastinter") + 1])
    assert out_within <= 5, out_within


def test_every_number_in_the_rules_says_why():
    """Each directive with a number has a comment just above it (shared by at most 3 lines)."""
    lines = (DEPLOY / "haproxy.cfg.in").read_text().splitlines()
    for i, line in enumerate(lines):
        if line.strip().startswith("#") or not re.search(r"(?<![A-Za-z])\d", line):
            continue
        above = [lines[j].strip() for j in range(max(0, i - 3), i)]
        assert any(a.startswith("#") for a in above), f"haproxy.cfg.in:{i + 1}: {line.strip()!r} has no comment"


def haproxy_check(path: Path) -> subprocess.CompletedProcess:
    from tests.test_balancer import haproxy_binary
    return subprocess.run([haproxy_binary(), "-c", "-f", str(path)], capture_output=True, text=True, timeout=30)


def test_haproxy_accepts_composes_config():
    out = haproxy_check(DEPLOY / "haproxy.cfg")
    assert out.returncode == 0, out.stdout + out.stderr
    # compose's replicas do not resolve here; anything else HAProxy warns about is a mistake.
    warnings = [w for w in (out.stdout + out.stderr).splitlines()
                if "WARNING" in w and "could not resolve address" not in w]
    assert not warnings, warnings


def test_haproxy_accepts_the_rules_for_local_replicas_without_a_warning(tmp_path):
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(haproxy_cfg.render([("r1", "127.0.0.1:18501"), ("r2", "127.0.0.1:18502")], "127.0.0.1:18500"))
    out = haproxy_check(cfg)
    assert out.returncode == 0 and "WARNING" not in out.stdout + out.stderr, out.stdout + out.stderr


@pytest.mark.parametrize("servers, message", [([], "at least one"), ([("1x", "h:1")], "a letter"),
                                              ([("a", "h:1"), ("a", "h:2")], "must differ")])
def test_the_renderer_refuses_bad_replica_lists(servers, message):
    with pytest.raises(ValueError, match=message):
        haproxy_cfg.render(servers, ":8080")
