"""Name what limits a step: the largest of its parts, with the network split by tier.

The step's parts (see :class:`~dojosim.perf.step.StepTimes`) are grouped into
compute (forward, backward, recompute), the pipeline bubble, the optimizer
update, off-chip streaming (Dojo's DIP bandwidth) and communication. The
communication that shows in the step is shared out over the network tiers in
proportion to the seconds each carried (recorded on a replay of the layout,
see ``step_times(record=True)``),
so a Dojo step can be limited by its on-tile "mesh", a tile "mesh edge" or the
"z-plane". A layout that does not fit is limited by capacity first.
"""

from __future__ import annotations

from dojosim.perf.step import StepTimes


def parts(st: StepTimes) -> dict[str, float]:
    """Seconds of the step per limiting resource (they add up to the step time).

    Each kind of communication (tensor, pipeline, data) is shared out over the
    tiers that carried it, in proportion to their recorded seconds.
    """
    out = {
        "compute": st.forward + st.backward + st.recompute,
        "pipeline bubble": st.pipeline_bubble,
        "optimizer": st.optimizer,
    }
    if st.offchip > 0:
        out["off-chip bandwidth"] = st.offchip
    if st.fixed > 0:
        out["per-step fixed costs"] = st.fixed
    if st.straggler > 0:
        out["stragglers"] = st.straggler
    shown = {"tensor": st.tensor_comm, "pipeline": st.pipeline_comm, "data": st.data_comm}
    for kind, seconds in shown.items():
        if seconds <= 0:
            continue
        carried = (st.network or {}).get(kind, {})
        total = sum(carried.values())
        if total <= 0:
            out["network"] = out.get("network", 0.0) + seconds
            continue
        for tier, s in carried.items():
            key = f"network: {tier}"
            out[key] = out.get(key, 0.0) + seconds * s / total
    return out


def bottleneck(st: StepTimes, *, fits: bool, capacity_name: str, offchip_name: str) -> str:
    """The resource that limits the step.

    ``capacity_name`` names the memory that is too small when the layout does not
    fit ("SRAM capacity" on Dojo, "memory capacity" elsewhere); ``offchip_name``
    names the off-chip link ("DIP bandwidth" on Dojo).
    """
    if not fits:
        return capacity_name
    share = parts(st)
    name = max(share, key=lambda k: share[k])
    if name == "off-chip bandwidth":
        return offchip_name
    return name.removeprefix("network: ")


__all__ = ["bottleneck", "parts"]
