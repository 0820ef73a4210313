"""The JSON API: the CLI's documents over HTTP, 422s in the CLI's words, nothing read from paths."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BASE


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dojosim.cli", *args], capture_output=True, text=True, timeout=120
    )


def scenario(**changes: Any) -> dict[str, Any]:
    s = copy.deepcopy(BASE)
    s.update(changes)
    return s


def test_estimate_returns_exactly_the_cli_document(client: Any, tmp_path: Path) -> None:
    import yaml

    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(scenario()))
    proc = cli("estimate", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    r = client.post("/api/estimate", json=scenario())
    assert r.status_code == 200
    assert r.json() == json.loads(proc.stdout)


def test_bad_scenario_is_a_422_in_the_cli_words(client: Any, tmp_path: Path) -> None:
    import yaml

    bad = scenario(model="gpt3-175")
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(bad))
    line = cli("estimate", str(path)).stderr.strip()
    r = client.post("/api/estimate", json=bad)
    assert r.status_code == 422
    body = r.json()
    assert body["field"] == "model" and "did you mean 'gpt3-175b'" in body["error"]
    # The CLI's line is "dojosim: error: FILE: model: ..."; the API's is the same without the file.
    assert line.endswith(body["error"]), (line, body["error"])


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("system", "../../etc/passwd"),
        ("model", "/etc/hosts"),
        ("model", {"base": "../../../../etc/hosts"}),
        ("system", "..\\..\\windows\\win.ini"),
    ],
)
def test_a_request_cannot_name_a_file(
    client: Any, field: str, value: Any, files_read: list[str]
) -> None:
    r = client.post("/api/estimate", json=scenario(**{field: value}))
    assert r.status_code == 422
    assert r.json()["field"].startswith(field) and "never a path" in r.json()["error"]
    assert not [p for p in files_read if "etc" in p or "windows" in p]


def test_pasted_yaml_cannot_run_code(client: Any) -> None:
    text = "name: x\nmodel: !!python/object/apply:os.system ['touch /tmp/dojosim-pwned']\n"
    r = client.post("/api/views/estimate", json={"yaml": text})
    assert r.status_code == 422 and r.json()["field"] == "yaml"
    assert not Path("/tmp/dojosim-pwned").exists()


def test_a_builtin_name_cannot_be_a_path(client: Any) -> None:
    r = client.post("/api/views/estimate", json={"name": "../../../etc/passwd"})
    assert r.status_code == 422 and r.json()["field"] == "name"


def test_non_object_body_and_wrong_query_types_are_422(client: Any) -> None:
    r = client.post("/api/estimate", json=[1, 2])
    assert r.status_code == 422 and r.json()["field"] == "body"
    r = client.get("/api/orbit", params={"altitude_km": "high"})
    assert r.status_code == 422 and r.json()["field"] == "altitude_km"


def test_orbit_is_the_cli_document(client: Any) -> None:
    args = ["--altitude-km", "650", "--sun-synchronous", "--ltan", "18:00", "--year", "2026"]
    proc = cli("orbit", *args, "--json")
    assert proc.returncode == 0, proc.stderr
    r = client.get(
        "/api/orbit",
        params={"altitude_km": 650, "sun_synchronous": "true", "ltan": "18:00", "year": 2026},
    )
    assert r.status_code == 200
    assert r.json() == json.loads(proc.stdout)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"altitude_km": 100, "inclination_deg": 53}, "altitude_km"),
        ({"altitude_km": 650, "sun_synchronous": "true"}, "ltan"),
        ({"altitude_km": 650, "sun_synchronous": "true", "ltan": "25:00"}, "ltan"),
        ({"altitude_km": 650, "inclination_deg": 53, "year": 3000}, "year"),
        ({"altitude_km": 650, "inclination_deg": 53, "step_s": 1}, "step_s"),
        ({"altitude_km": "nan", "inclination_deg": 53}, "altitude_km"),
    ],
)
def test_orbit_bad_input_names_the_parameter(
    client: Any, params: dict[str, Any], field: str
) -> None:
    r = client.get("/api/orbit", params=params)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field


def test_site_with_what_if_values(client: Any) -> None:
    from dojosim.cost.pipeline import site_report
    from dojosim.report.jsonout import clean

    body = scenario(site={"type": "orbit"}, system="dgx-h100")
    base = client.post("/api/site", json=body)
    assert base.status_code == 200, base.text
    assert "overrides" not in base.json()  # without what-if values: the CLI's document
    assert base.json()["usd_per_pflop_day"] == pytest.approx(
        clean(site_report(body).to_dict())["usd_per_pflop_day"]
    )
    dear = client.post("/api/site", params={"launch_price": 5000.0}, json=body)
    assert dear.status_code == 200
    assert dear.json()["overrides"] == {"launch_price": 5000.0}
    assert dear.json()["launch_cost_usd"] > base.json()["launch_cost_usd"]
    assert dear.json()["usd_per_pflop_day"] > base.json()["usd_per_pflop_day"]
    bad = client.post("/api/site", params={"pue": 0.5}, json=body)
    assert bad.status_code == 422 and bad.json()["field"] == "pue"
    earth = client.post(
        "/api/site", params={"launch_price": 100.0}, json=scenario(system="dgx-h100")
    )
    assert earth.status_code == 422 and "does not apply" in earth.json()["error"]


def test_catalog_lists_and_entries(client: Any) -> None:
    from dojosim import catalog, scenarios

    for kind in catalog.LISTABLE:
        r = client.get(f"/api/catalog/{kind}")
        assert r.status_code == 200, r.text
        assert {row["name"] for row in r.json()} == set(catalog.names(kind))
    e = client.get("/api/catalog/chip/a100-sxm4-80g").json()
    assert e["sources"] and e["resolved"]["memory"] == pytest.approx(79.25 * 2**30)
    s = client.get("/api/catalog/scenario/gpt3-175b-1024-a100").json()
    assert s["entry"] == scenarios.raw("gpt3-175b-1024-a100")
    missing = client.get("/api/catalog/chip/a100-sxm4-8")
    assert missing.status_code == 404 and "did you mean" in missing.json()["error"]
    assert client.get("/api/catalog/chips/..%2F..%2Fetc").status_code == 404
    assert client.get("/api/catalog/nope").status_code == 422


def test_validate_rows_and_role_filter(client: Any) -> None:
    rows = client.get("/api/validate", params={"role": "calibration"}).json()
    assert len(rows) >= 8 and {r["role"] for r in rows} == {"calibration"}
    assert all(r["unit"] == "s" and r["status"] for r in rows)
    assert client.get("/api/validate", params={"role": "nope"}).status_code == 422
    typo = client.get("/api/validate", params={"role": "regresion"})
    assert typo.status_code == 422 and "did you mean 'regression'?" in typo.json()["error"]


def test_validate_groups_as_the_cli_prints_them(client: Any) -> None:
    doc = client.get("/api/validate/groups", params={"by": "chips"}).json()
    assert doc["by"] == "chips"
    assert doc["groups"][0]["chips"] == "1-64"
    assert all(g["max_abs_error"] >= g["mean_abs_error"] for g in doc["groups"])
    bad = client.get("/api/validate/groups", params={"by": "chipz"})
    assert bad.status_code == 422 and bad.json()["field"] == "by"
    assert "did you mean" in bad.json()["error"]


def test_jobs_report_progress_then_the_result(client: Any) -> None:
    r = client.post(
        "/api/jobs/compare",
        json={"scenarios": [{"name": "gpt3-175b-1024-a100"}, {"scenario": BASE}]},
    )
    assert r.status_code == 202
    job = r.json()
    assert job["state"] in ("queued", "running", "done")
    seen = set()
    deadline = time.monotonic() + 120
    while job["state"] in ("queued", "running"):
        assert time.monotonic() < deadline
        seen.add(job["stage"])
        time.sleep(0.05)
        job = client.get(f"/api/jobs/{job['id']}").json()
    assert job["state"] == "done", job
    assert job["elapsed_s"] >= 0 and len(job["result"]["docs"]) == 2
    assert "★" in job["result"]["html"]["table"]
    failed = client.post("/api/jobs/estimate", json={"scenario": scenario(chips=0)}).json()
    while failed["state"] in ("queued", "running"):
        time.sleep(0.05)
        failed = client.get(f"/api/jobs/{failed['id']}").json()
    assert failed["state"] == "failed" and failed["error"]["field"] == "chips"
    assert client.get("/api/jobs/nope").status_code == 404


def test_openapi_names_every_contract_path(client: Any) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for p in (
        "/api/estimate",
        "/api/site",
        "/api/orbit",
        "/api/catalog/{kind}",
        "/api/catalog/{kind}/{name}",
        "/api/validate",
        "/api/validate/groups",
    ):
        assert p in paths
    assert "post" in paths["/api/estimate"] and "get" in paths["/api/orbit"]


def test_pages_and_static_files_need_no_network(client: Any) -> None:
    import re

    from dojosim.web.pages import PAGES

    for path, page, _ in PAGES:
        r = client.get(path)
        assert r.status_code == 200 and f'data-page="{page}"' in r.text
        sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', r.text)
        assert sources and all(s.startswith("/static/") for s in sources), sources
    js = client.get("/static/plotly.min.js")
    assert js.status_code == 200 and len(js.content) > 1_000_000
    assert client.get("/static/../app.py").status_code == 404
    assert client.get("/docs").status_code == 404  # Swagger's page would load a CDN


def test_a_huge_body_is_refused(client: Any) -> None:
    r = client.post(
        "/api/estimate",
        content=b"{" + b" " * 2_000_000 + b"}",
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 413


def test_serve_command_answers_on_loopback(tmp_path: Path) -> None:
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "dojosim.cli", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/openapi.json", timeout=2
                ) as r:
                    assert json.load(r)["info"]["title"] == "dojosim"
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                assert time.monotonic() < deadline, "dojosim serve did not answer"
                time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert cli("serve", "--port", "0").returncode == 2
