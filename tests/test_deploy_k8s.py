"""deploy/k8s/, read as files: every manifest parses (PyYAML), and what they must say holds: the
probes ask Streamlit's health endpoint, the resources follow one process = one core, every pod gets
the one cookie secret, the HTTPRoute keeps a browser on its pod with a cookie for every path, the
autoscaler and the disruption budget keep a class served, and Redis is where REDIS_URL points.
No cluster runs here; nothing is applied."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
K8S = ROOT / "deploy" / "k8s"
HEALTH = "/_stcore/health"
SECRET_ENV = "STREAMLIT_SERVER_COOKIE_SECRET"


def manifests() -> list[dict]:
    docs = []
    for path in sorted(K8S.glob("*.yaml")):
        docs += [dict(d, _file=path.name) for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


def one(kind: str, name: str | None = None) -> dict:
    found = [d for d in manifests() if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]
    assert len(found) == 1, (kind, name, [d["metadata"]["name"] for d in found])
    return found[0]


def deployment() -> dict:
    return one("Deployment", "backprop-explorer")


def app_container() -> dict:
    (container,) = deployment()["spec"]["template"]["spec"]["containers"]
    return container


def test_every_manifest_parses_and_kustomize_lists_each_file():
    docs = manifests()
    assert {d["kind"] for d in docs} >= {"Deployment", "Service", "Gateway", "HTTPRoute", "HorizontalPodAutoscaler",
                                        "PodDisruptionBudget", "Kustomization"}
    for d in docs:
        assert d.get("apiVersion") and d.get("kind"), d["_file"]
    kustomization = one("Kustomization")
    assert sorted(kustomization["resources"]) == sorted(p.name for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")


def test_no_ingress_nginx():
    text = "\n".join(p.read_text() for p in K8S.glob("*.yaml"))
    assert not [d for d in manifests() if d["kind"] == "Ingress"]
    assert "nginx.ingress.kubernetes.io" not in text and "ingressClassName" not in text


def test_the_pods_probe_streamlits_health_and_start_slowly_enough():
    c = app_container()
    port = next(p for p in c["ports"] if p["name"] == "http")["containerPort"]
    assert port == 8501
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert c[probe]["httpGet"] == {"path": HEALTH, "port": "http"}, probe
    startup = c["startupProbe"]
    # As long as the tests give a first start (tests/browser.py: 60 s).
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 60
    # Liveness is more patient than readiness: a restart ends every session on the pod.
    live, ready = c["livenessProbe"], c["readinessProbe"]
    assert live["periodSeconds"] * live["failureThreshold"] > ready["periodSeconds"] * ready["failureThreshold"]


def test_resources_follow_one_process_one_core():
    res = app_container()["resources"]
    assert res["requests"]["cpu"] in ("1", 1, "1000m")      # one process ≈ one core of Python work
    limit = res["limits"]["cpu"]
    assert limit == "1500m"                                  # 1.07 cores measured at 60 learners: not 1
    assert res["requests"]["memory"] == "512Mi" and res["limits"]["memory"] == "1Gi"


def test_every_pod_gets_the_cookie_secret_from_one_secret():
    pods = [d for d in manifests() if d["kind"] == "Deployment" and d["metadata"]["name"] == "backprop-explorer"]
    sources = set()
    for d in pods:
        for c in d["spec"]["template"]["spec"]["containers"]:
            (env,) = [e for e in c["env"] if e["name"] == SECRET_ENV]
            assert "value" not in env, "the secret must not be written in a manifest"
            ref = env["valueFrom"]["secretKeyRef"]
            sources.add((ref["name"], ref["key"]))
    assert sources == {("backprop-explorer", "cookie-secret")}
    assert "replicas" not in deployment()["spec"], "the HorizontalPodAutoscaler owns the count"


def test_the_route_keeps_each_browser_on_its_pod_with_a_cookie():
    route = one("HTTPRoute")
    service = one("Service", "backprop-explorer")
    gateway = one("Gateway")
    assert [p["name"] for p in route["spec"]["parentRefs"]] == [gateway["metadata"]["name"]]
    (rule,) = route["spec"]["rules"]                 # one rule: one cookie for every path, both sockets included
    assert rule["matches"] == [{"path": {"type": "PathPrefix", "value": "/"}}]
    persistence = rule["sessionPersistence"]
    assert persistence["type"] == "Cookie" and persistence["sessionName"]
    assert rule["backendRefs"] == [{"name": "backprop-explorer", "port": service["spec"]["ports"][0]["port"]}]
    assert rule["timeouts"]["request"] == "0s"       # no cap on a WebSocket's life
    # The Service selects the Deployment's pods, with no client-address affinity.
    assert service["spec"]["selector"] == deployment()["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["sessionAffinity"] == "None"
    assert service["spec"]["ports"][0]["targetPort"] == "http"


def test_the_autoscaler_and_the_disruption_budget_keep_a_class_served():
    hpa = one("HorizontalPodAutoscaler")
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "backprop-explorer"}
    (metric,) = hpa["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu" and 0 < metric["resource"]["target"]["averageUtilization"] < 100
    assert hpa["spec"]["minReplicas"] >= 2
    assert hpa["spec"]["behavior"]["scaleDown"]["stabilizationWindowSeconds"] == 3600   # between lessons
    pdb = one("PodDisruptionBudget")
    assert pdb["spec"]["selector"]["matchLabels"] == deployment()["spec"]["template"]["metadata"]["labels"]
    assert pdb["spec"]["maxUnavailable"] == 1 < hpa["spec"]["minReplicas"]


def test_redis_is_there_where_redis_url_points():
    url = next(e["value"] for e in app_container()["env"] if e["name"] == "REDIS_URL")
    m = re.fullmatch(r"redis://([\w-]+):(\d+)/\d+", url)
    service = one("Service", m[1])
    assert service["spec"]["ports"][0]["port"] == int(m[2])
    redis = one("Deployment", "redis")
    assert service["spec"]["selector"] == redis["spec"]["template"]["metadata"]["labels"]
    (c,) = redis["spec"]["template"]["spec"]["containers"]
    assert c["image"].startswith("redis:")
    from tests.test_deploy import compose
    assert compose()["services"]["redis"]["command"][1:] == c["args"]     # the same Redis in both
