"""The Kubernetes deployment offline: deploy/kubernetes/values.yaml applied to a real KubeSpawner
the way Zero to JupyterHub's hub maps the ``singleuser`` values, and the user pod it would create
rendered without a cluster (image, resource guarantees and limits, the nbgrader exchange volume).
"""

import asyncio
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "kubernetes"
EXCHANGE = "/srv/nbgrader/exchange"


def z2jh_spawner_config(values):
    """KubeSpawner traits from Z2JH values, as the chart's hub config (jupyterhub_config.py) sets them."""
    single = values["singleuser"]
    storage = single.get("storage", {})
    cfg = {
        "image": f"{single['image']['name']}:{single['image']['tag']}",
        "image_pull_policy": single["image"].get("pullPolicy"),
        "cpu_limit": float(single["cpu"]["limit"]),
        "cpu_guarantee": float(single["cpu"]["guarantee"]),
        "mem_limit": single["memory"]["limit"],
        "mem_guarantee": single["memory"]["guarantee"],
        "start_timeout": single["startTimeout"],
        "uid": single["uid"],
        "fs_gid": single["fsGid"],
        "environment": dict(single.get("extraEnv", {})),
        "default_url": single["defaultUrl"],
        "cmd": [single["cmd"]],
        "volumes": [],
        "volume_mounts": [],
    }
    if storage.get("type") == "dynamic":
        cfg["pvc_name_template"] = "claim-{username}{servername}"
        cfg["storage_pvc_ensure"] = True
        cfg["storage_capacity"] = storage["capacity"]
        cfg["volumes"].append({"name": "volume-{username}{servername}",
                               "persistentVolumeClaim": {"claimName": "{pvc_name}"}})
        cfg["volume_mounts"].append({"mountPath": storage["homeMountPath"], "name": "volume-{username}{servername}"})
    cfg["volumes"] += storage.get("extraVolumes", [])
    cfg["volume_mounts"] += storage.get("extraVolumeMounts", [])
    return {k: v for k, v in cfg.items() if v is not None}


@pytest.fixture(scope="module")
def values():
    return yaml.safe_load((K8S / "values.yaml").read_text())


# never contacted: KubeSpawner only reads it when it is built
KUBECONFIG = """apiVersion: v1
kind: Config
clusters: [{name: offline, cluster: {server: "https://127.0.0.1:6443"}}]
users: [{name: offline, user: {token: offline}}]
contexts: [{name: offline, context: {cluster: offline, user: offline, namespace: biaslab}}]
current-context: offline
"""


@pytest.fixture(scope="module")
def pod(values, tmp_path_factory):
    from kubespawner import KubeSpawner
    from kubernetes_asyncio.client import ApiClient
    from kubespawner.clients import load_config
    from traitlets.config import Config

    kubeconfig = tmp_path_factory.mktemp("kube") / "config"
    kubeconfig.write_text(KUBECONFIG)
    config = Config()
    for name, value in z2jh_spawner_config(values).items():
        setattr(config.KubeSpawner, name, value)
    config.KubeSpawner.k8s_api_host = "https://127.0.0.1:6443"

    async def render():
        spawner = KubeSpawner(config=config, _mock=True)
        spawner.user.name = "ada"
        spawner.pod_name = spawner._expand_user_properties(spawner.pod_name_template)
        spawner.pvc_name = spawner._expand_user_properties(spawner.pvc_name_template)
        manifest = await spawner.get_pod_manifest()  # renders only: no API call
        async with ApiClient() as api:  # the JSON the hub would send to the cluster
            return spawner, api.sanitize_for_serialization(manifest)

    with pytest.MonkeyPatch.context() as mp:
        # KUBECONFIG is read when kubernetes_asyncio is imported: point its default at the file
        mp.setattr("kubernetes_asyncio.config.kube_config.KUBE_CONFIG_DEFAULT_LOCATION", str(kubeconfig))
        load_config.cache_clear()
        _, manifest = asyncio.run(render())
        load_config.cache_clear()
    return manifest


def test_image_and_command(pod):
    (container,) = pod["spec"]["containers"]
    assert container["image"] == "registry.example.org/biaslab/singleuser:0.1.0"
    assert container["imagePullPolicy"] == "IfNotPresent"
    assert container["args"][0] == "jupyterhub-singleuser"
    assert pod["spec"]["securityContext"]["fsGroup"] == 100 and container["securityContext"]["runAsUser"] == 1000


def test_resources_from_the_sizing(pod):
    (container,) = pod["spec"]["containers"]
    assert container["resources"]["limits"] == {"cpu": 2.0, "memory": 3 * 1024**3}
    assert container["resources"]["requests"] == {"cpu": 0.5, "memory": 1024**3}


def test_exchange_volume_in_every_pod(pod):
    volumes = {v["name"]: v for v in pod["spec"]["volumes"]}
    assert volumes["nbgrader-exchange"]["persistentVolumeClaim"]["claimName"] == "nbgrader-exchange"
    assert volumes["nbgrader-config"]["configMap"]["name"] == "nbgrader-config"
    assert volumes["volume-ada"]["persistentVolumeClaim"]["claimName"] == "claim-ada"
    (container,) = pod["spec"]["containers"]
    mounts = {m["name"]: m for m in container["volumeMounts"]}
    assert mounts["nbgrader-exchange"]["mountPath"] == EXCHANGE and not mounts["nbgrader-exchange"].get("readOnly")
    assert mounts["nbgrader-config"]["mountPath"] == "/etc/jupyter/nbgrader_config.py"
    assert mounts["nbgrader-config"]["subPath"] == "nbgrader_config.py" and mounts["nbgrader-config"]["readOnly"]
    assert mounts["volume-ada"]["mountPath"] == "/home/jovyan"
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["BIASLAB_EXCHANGE"] == EXCHANGE and env["OMP_NUM_THREADS"] == "2"


def test_start_timeout_raised(values):
    assert values["singleuser"]["startTimeout"] >= 300


def test_exchange_manifests_agree_with_the_course():
    from biaslab.course import load_curriculum

    pvc, config_map = yaml.safe_load_all((K8S / "exchange.yaml").read_text())
    assert pvc["kind"] == "PersistentVolumeClaim" and pvc["metadata"]["name"] == "nbgrader-exchange"
    assert pvc["spec"]["accessModes"] == ["ReadWriteMany"]
    assert config_map["kind"] == "ConfigMap" and config_map["metadata"]["name"] == "nbgrader-config"
    text = config_map["data"]["nbgrader_config.py"]
    assert f'course_id = "{load_curriculum().id}"' in text and f'Exchange.root = "{EXCHANGE}"' in text
