"""Catalog transformer models as numbers: parameters (total, active, per layer kind), training
FLOPs per token by component, and the published counts they are checked against.

``summary(model)`` is the document ``dojosim workload show NAME --json`` prints for a model;
``checks(model)`` compares our counts with every ``params_published`` entry.
"""

from __future__ import annotations

from typing import Any

from dojosim.errors import SpecError
from dojosim.spec.workload import ModelSpec
from dojosim.workload import accounting as acc
from dojosim.workload.published import Check

FLOPS_CONVENTION = (
    "training FLOPs per token = 6 x the matmul weights one token uses (attention or MLA "
    "projections, dense MLP, router, top_k routed and shared experts, output head, MTP modules) "
    "+ 6 x keys x heads x (d_qk + d_v) per layer for attention, counted as full non-causal "
    "attention (PaLM, arXiv 2204.02311, Appendix B); a multiply-add is 2 FLOP"
)


def checks(m: ModelSpec) -> list[Check]:
    """Our total and active parameter counts against every published figure of the model."""
    out: list[Check] = []
    default_source = "; ".join(m.sources) or "(no source)"
    for pub in m.params_published:
        source = pub.source or default_source
        if pub.total is not None:
            out.append(Check("params", pub.total, acc.total_params(m), pub.tolerance, source,
                             "parameters, MTP modules excluded"))  # fmt: skip
        if pub.active is not None:
            embedding = pub.active_counts_embedding
            conv = "active parameters" + ("" if embedding else ", input embedding not counted")
            tol = pub.active_tolerance if pub.active_tolerance is not None else pub.tolerance
            active = acc.active_params(m, count_embedding=embedding)
            out.append(Check("active_params", pub.active, active, tol, source, conv))
    return out


def _layer_kinds(m: ModelSpec) -> list[dict[str, Any]]:
    kinds = []
    dense = acc.dense_layer_count(m)
    if dense:
        p = acc.dense_layer_params(m)
        kinds.append({"kind": "dense", "count": dense, "params": p, "active_params": p})
    if m.moe_layers:
        kinds.append(
            {
                "kind": "moe",
                "count": m.moe_layers,
                "params": acc.moe_layer_params(m),
                "active_params": acc.moe_layer_active_params(m),
            }
        )
    return kinds


def summary(m: ModelSpec, seq_len: int | None = None) -> dict[str, Any]:
    """Everything ``workload show`` prints for a model, JSON-ready (counts; FLOPs per token)."""
    if seq_len is not None and seq_len < 1:
        raise SpecError(f"--seq-len must be a positive number of tokens, got {seq_len}")
    s = seq_len or m.seq_len
    flops = acc.training_flops_breakdown(m, s)
    return {
        "name": m.name,
        "kind": "model",
        "family": m.family,
        "description": m.description.strip(),
        "architecture": {
            "layers": m.layers,
            "hidden": m.hidden,
            "heads": m.heads,
            "kv_heads": None if m.attention == "mla" else m.n_kv_heads,
            "attention": m.attention,
            "mla": m.mla.model_dump() if m.mla else None,
            "local_attention": m.local_attention.model_dump() if m.local_attention else None,
            "parallel_block": m.parallel_block,
            "experts": m.experts,
            "top_k": m.top_k,
            "shared_experts": m.shared_experts,
            "expert_ffn_hidden": m.expert_ffn if m.is_moe else None,
            "ffn_hidden": m.ffn,
            "dense_layers": acc.dense_layer_count(m),
            "moe_layers": m.moe_layers,
            "vocab": m.vocab,
            "mtp_depth": m.mtp_depth,
            "dropout": m.dropout,
        },
        "seq_len": s,
        "params": acc.total_params(m),
        "active_params": acc.active_params(m),
        "active_params_without_embedding": acc.active_params(m, count_embedding=False),
        "mtp_params": acc.mtp_params(m),
        "params_breakdown": acc.params_breakdown(m),
        "active_params_breakdown": acc.active_params_breakdown(m),
        "layer_kinds": _layer_kinds(m),
        "training_flops_per_token": sum(flops.values()),
        "training_flops_per_token_causal": acc.training_flops_per_token(m, s, causal=True),
        "training_flops_breakdown": flops,
        "flops_convention": FLOPS_CONVENTION,
        "checks": [c.as_dict() for c in checks(m)],
        "sources": m.sources,
    }
