"""Tesla's Dojo-versus-A100 claims recomputed with the estimator (claim rows of ``validate``).

Each function returns a ratio (dimensionless); the published value, tolerance,
source and the explanation of any gap live in the ``dojo-claims`` catalog entry
(``catalog/sites/dojo-claims.yaml``). The workload is the FSD-style network the
claims were about; throughput is compute only (no data ingest).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from dojosim import catalog
from dojosim.perf.estimate import Estimate, estimate

WORKLOAD = "fsd-multicam-8cam"
A100_SYSTEM = "dgx-a100-80g"
A100_CLUSTER_CHIPS = 5760  # Tesla's 2021 cluster: 720 DGX A100 (enterpriseai.news, 2021-06-23)


@functools.cache
def throughput(system: str, chips: int) -> Estimate:
    """The FSD-style network on ``chips`` chips of ``system``, every knob searched (1 clip per chip)."""
    knobs = ("tensor", "pipeline", "data", "micro_batch", "recompute", "zero")
    par: dict[str, object] = dict.fromkeys(knobs, "auto")
    par["global_batch"] = chips
    return estimate({"model": WORKLOAD, "system": system, "chips": chips, "parallelism": par})


def _nodes(system: str, chips: int) -> float:
    return chips / catalog.get("system", system).node_chips


def _price(name: str) -> float:
    return float(catalog.get("price", name).price)


def _power(system: str, chips: int) -> float:
    node_power = catalog.get("system", system).node_power
    return float(node_power) * _nodes(system, chips)


def tile_vs_dgx() -> float:
    """Clips/s of one Dojo tile over one DGX A100."""
    return throughput("dojo-tile", 25).samples_per_s / throughput(A100_SYSTEM, 8).samples_per_s


def _pod_vs_cluster() -> tuple[float, float, float]:
    pod = throughput("dojo-exapod", 3000).samples_per_s
    gpus = throughput(A100_SYSTEM, A100_CLUSTER_CHIPS).samples_per_s
    return pod, gpus, pod / gpus


def performance_per_cost() -> float:
    """(ExaPOD clips/s per dollar) over (5,760-A100 clips/s per dollar)."""
    _, _, speed = _pod_vs_cluster()
    pod_cost = _price("dojo-tile-price") * _nodes("dojo-exapod", 3000)
    gpu_cost = _price("dgx-a100-price") * _nodes(A100_SYSTEM, A100_CLUSTER_CHIPS)
    return speed * gpu_cost / pod_cost


def performance_per_watt() -> float:
    """(ExaPOD clips/s per watt) over (5,760-A100 clips/s per watt)."""
    _, _, speed = _pod_vs_cluster()
    return speed * _power(A100_SYSTEM, A100_CLUSTER_CHIPS) / _power("dojo-exapod", 3000)


COMPUTE: dict[str, Callable[[], float]] = {
    "dojo-tile-vs-dgx-a100": tile_vs_dgx,
    "exapod-vs-a100-cluster-performance-per-cost": performance_per_cost,
    "exapod-vs-a100-cluster-performance-per-watt": performance_per_watt,
}
