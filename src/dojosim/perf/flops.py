"""Model and hardware FLOPs of a step, samples and tokens: the conventions MFU and HFU use.

Model FLOPs follow Megatron-LM (Narayanan et al. 2021, arXiv 2104.04473, eq. 3;
Korthikanti et al. 2022, arXiv 2205.05198, Appendix A): three times the forward
FLOPs (the backward pass is two matmuls per forward matmul), dense attention over
the whole sequence, logits included, no recomputation. Hardware FLOPs add what
recomputation runs again. A network's forward FLOPs are its traced count.
"""

from __future__ import annotations

from dojosim.mapping.layout import Layout
from dojosim.perf.compute import EIGHT_BIT
from dojosim.spec.scenario import NetworkScenario, Scenario
from dojosim.workload import recompute_modules
from dojosim.workload.accounting import forward_flops_breakdown
from dojosim.workload.checkpoint import rerun_matmul_flops_per_token
from dojosim.workload.transformer import model_flops_per_token


def samples_tokens(sc: Scenario | NetworkScenario, lay: Layout) -> tuple[float, float]:
    """Samples (sequences, images, clips) and tokens per step (tokens 0 for a network)."""
    if isinstance(sc, NetworkScenario):
        return float(lay.global_batch), 0.0
    return float(lay.global_batch), float(lay.global_batch * sc.model.seq_len)


def model_flops_per_step(sc: Scenario | NetworkScenario, lay: Layout) -> float:
    """Model FLOPs of one step (forward and backward, no recomputation)."""
    if isinstance(sc, NetworkScenario):
        return 3.0 * sc.workload.forward_flops * lay.global_batch
    tokens = lay.global_batch * sc.model.seq_len
    return 3.0 * tokens * model_flops_per_token(sc.model, sc.model.seq_len)


def hardware_flops_per_step(
    sc: Scenario | NetworkScenario, lay: Layout, model_flops: float
) -> float:
    """Model FLOPs plus what recomputation adds (Megatron's hardware-FLOP convention)."""
    layers = sum(lay.stage_layers)
    full = sum(lay.recomputed(i) for i in range(lay.pipeline))
    if isinstance(sc, NetworkScenario):
        forward = sc.workload.forward_flops * lay.global_batch
        return model_flops + forward * full / max(layers, 1)
    m = sc.model
    tokens = lay.global_batch * m.seq_len
    # the logits are not recomputed (Narayanan et al. 2021, eq. 3)
    layer_forward = tokens * (model_flops_per_token(m, m.seq_len) - 2.0 * m.hidden * m.vocab)
    extra = layer_forward * full / layers
    if lay.recompute == "op":  # the matmuls torchtitan's checkpoint policy runs again
        eight_bit = sc.precision in EIGHT_BIT
        extra += tokens * m.layers * rerun_matmul_flops_per_token(m, eight_bit)
    selective = lay.recompute == "selective" and lay.recompute_layers is None
    named = lay.selective_modules or recompute_modules.DEFAULT
    if lay.recompute == "dots" or (
        selective and not sc.flash_attention and "core_attn" in named
    ):  # attention runs again (under dots, fused or not: its products have batch dimensions)
        extra += tokens * forward_flops_breakdown(m, m.seq_len)["attention"]  # QK^T and AV
    if selective and named != recompute_modules.DEFAULT:  # the other modules' matmuls
        for moe, count in ((False, m.layers - m.moe_layers), (True, m.moe_layers)):
            per_token = recompute_modules.rerun_matmul_flops_per_token(m, named, moe)
            extra += tokens * count * per_token
    return model_flops + extra
