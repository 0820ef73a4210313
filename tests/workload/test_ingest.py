"""Video ingest: hand calculations from the sourced figures, monotonicity, limits, bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dojosim import catalog
from dojosim.errors import SpecError
from dojosim.spec.data import DataEntry, DatasetEntry, DecoderEntry, IngestEntry
from dojosim.spec.loader import parse
from dojosim.workload.ingest import (
    IngestParts,
    epoch_time_s,
    estimate_ingest,
    hosts_for,
    ingest_rate,
    ingest_rate_si,
    ingest_time_per_step,
    resolve_ingest,
    time_to_train_s,
)

FLEET_FRAME_PX = 1280 * 960
FLEET_FRAMES = 8 * 10 * 36  # cameras x seconds x Hz = 2,880 frames per clip
NVDEC_PX_S = 570 * 1920 * 1080  # one NVDEC engine at 1080p (T4: 38 x 30 fps / 2 engines)


def fleet() -> DatasetEntry:
    d = catalog.get("data", "fsd-fleet-clips-10m")
    assert isinstance(d, DatasetEntry)
    return d


# --- hand calculations -------------------------------------------------------------------------


def test_fleet_clip_bytes_by_hand() -> None:
    d = fleet()
    assert d.frames_per_sample == FLEET_FRAMES == 2880
    # 1.5 PB over 1e6 clips x 2,880 frames = 520,833 B per stored frame; 1.5 GB per clip
    assert d.stored_bytes_per_frame == pytest.approx(1.5e15 / 2.88e9)
    assert d.bytes_per_sample == pytest.approx(1.5e9)
    # decoded: 1280 x 960 x 12 bit = 1,843,200 B per frame; x 2,880 = 5.308 GB per clip
    assert d.raw_bytes_per_frame == 1_843_200
    assert d.raw_bytes_per_sample == pytest.approx(5.308416e9)
    assert d.total_bytes == pytest.approx(1.5e16)  # 10 M clips = 15 PB


def test_published_cvpr2021_corpus_size() -> None:
    """The CVPR 2021 set: 1 M clips x 8 cameras x 10 s x 36 Hz at the derived frame size = 1.5 PB."""
    d = catalog.get("data", "tesla-cvpr2021-clips-1m")
    assert d.total_bytes == pytest.approx(1.5e15, rel=1e-9)
    assert d.frames_per_sample * d.clips == pytest.approx(2.88e9)


def test_published_nuscenes_image_count() -> None:
    """nuScenes: 1000 scenes x 20 s x 12 Hz x 6 cameras = 1.44 M, published as '1.4M camera images'."""
    d = catalog.get("data", "nuscenes-full")
    images = d.clips * d.frames_per_sample
    assert images == pytest.approx(1.44e6)
    assert images == pytest.approx(1.4e6, rel=0.05)


def test_nvdec_reproduces_t4_stream_count() -> None:
    """The per-engine rate was derived from T4's 38 x 1080p30 streams on 2 NVDEC: run it back."""
    a100 = catalog.get("data", "nvdec-dgx-a100")
    t4 = a100.model_copy(update={"engines": 2.0, "devices_per_host": 1.0})
    assert t4.frames_per_s_per_host(1920, 1080) / 30 == pytest.approx(38)


def test_nvdec_clips_per_host_by_hand() -> None:
    # DGX A100: 8 GPUs x 5 NVDEC x 570 fps at 1080p, scaled to 1280 x 960 pixels
    a100 = ingest_rate("dgx-a100-ingest", 1)
    expect_a100 = 8 * 5 * NVDEC_PX_S / (FLEET_FRAME_PX * FLEET_FRAMES)
    assert a100.decode_samples_per_s == pytest.approx(expect_a100)
    assert a100.decode_samples_per_s == pytest.approx(13.359, abs=1e-3)
    h100 = ingest_rate("dgx-h100-ingest", 1)
    assert h100.decode_samples_per_s == pytest.approx(8 * 7 * NVDEC_PX_S / (FLEET_FRAME_PX * 2880))
    assert h100.decode_samples_per_s / a100.decode_samples_per_s == pytest.approx(7 / 5)
    # CPU host: 128 cores x 150 fps at 1080p
    cpu = ingest_rate("dojo-exapod-ingest", 1)
    assert cpu.decode_samples_per_s == pytest.approx(
        128 * 150 * 1920 * 1080 / (FLEET_FRAME_PX * 2880)
    )
    assert cpu.decode_samples_per_s == pytest.approx(11.25)


def test_storage_and_link_by_hand() -> None:
    one = ingest_rate("dgx-a100-ingest", 1)
    assert one.storage_samples_per_s == pytest.approx(50e9 / 1.5e9)  # one host's 400 Gb/s NIC
    assert one.link_samples_per_s == pytest.approx(128e9 / 1.5e9)  # NVDEC: compressed bytes cross
    cluster = ingest_rate("dgx-a100-ingest", 720)
    assert cluster.storage_samples_per_s == pytest.approx(1.6e12 / 1.5e9)  # hot tier, 1,066.7/s
    dojo = ingest_rate("dojo-exapod-ingest", 1)
    assert dojo.link_bytes_per_sample == pytest.approx(5.308416e9)  # CPU decode: raw frames cross
    assert dojo.link_samples_per_s == pytest.approx(160e9 / 5.308416e9)


def test_epoch_times_10m_clips() -> None:
    """Ingest-bound epoch of 10 M clips (no compute limit): ExaPOD vs the 720-host A100 cluster."""
    a100 = estimate_ingest("dgx-a100-ingest", chips=5760, samples_per_step=1024, step_time_s=0.0)
    assert a100.hosts == 720
    assert a100.limit == "storage"
    assert a100.epoch_s == pytest.approx(1e7 / (1.6e12 / 1.5e9))  # 9,375 s = 2.6 h
    dojo = estimate_ingest("dojo-exapod-ingest", chips=3000, samples_per_step=1024, step_time_s=0.0)
    assert dojo.hosts == 80
    assert dojo.limit == "decode"
    assert dojo.epoch_s == pytest.approx(1e7 / (80 * 11.25))  # 11,111 s = 3.1 h
    assert dojo.fits_in_storage is False  # 15 PB corpus vs the 10 PB hot tier


def test_compute_bound_step_and_time_to_train() -> None:
    est = estimate_ingest(
        "dgx-a100-ingest", chips=5760, samples_per_step=512, step_time_s=2.0, epochs=3
    )
    # ingest of 512 clips at 1,066.7 clips/s = 0.48 s < 2 s of compute
    assert est.seconds_per_step == pytest.approx(0.48)
    assert est.bound == "compute"
    assert est.exposed_ingest_s_per_step == 0.0
    assert est.epoch_s == pytest.approx(1e7 / 512 * 2.0)
    assert est.time_to_train_s == pytest.approx(3 * est.epoch_s)
    d = est.as_dict()
    assert d["limit"] == "storage" and d["time_to_train_s"] == est.time_to_train_s


def test_ingest_bound_step_exposes_ingest() -> None:
    est = estimate_ingest("dojo-exapod-ingest", chips=3000, samples_per_step=900, step_time_s=0.25)
    assert est.seconds_per_step == pytest.approx(1.0)  # 900 clips at 900 clips/s
    assert est.bound == "ingest"
    assert est.exposed_ingest_s_per_step == pytest.approx(0.75)


def test_hosts_for() -> None:
    assert hosts_for(5760, 8) == 720
    assert hosts_for(3000, 37.5) == 80
    assert hosts_for(9, 8) == 2  # a partial host is a host
    assert list(hosts_for(np.array([1, 8, 17]), 8)) == [1, 1, 3]


# --- limits and monotonicity ---------------------------------------------------------------------


def test_limit_names_the_bottleneck() -> None:
    base: dict[str, Any] = dict(
        decode_pixels_per_s_per_host=1e10,
        pixels_per_sample=1e9,  # 10 samples/s/host of decode
        bytes_per_sample=1e9,
        link_bytes_per_sample=1e9,
        host_link_bandwidth=1e11,  # 100 samples/s/host
        storage_bandwidth=1e12,  # 1,000 samples/s in all
    )
    assert ingest_rate_si(hosts=1, **base).limit == "decode"
    assert ingest_rate_si(hosts=1000, **base).limit == "storage"
    slow_link = {**base, "host_link_bandwidth": 1e9}
    assert ingest_rate_si(hosts=1, **slow_link).limit == "link"
    capped = ingest_rate_si(hosts=1, **{**base, "host_network_bandwidth": 1e9})
    assert capped.limit == "storage" and capped.samples_per_s == pytest.approx(1.0)
    raw = ingest_rate_si(hosts=1, **{**base, "decode_pixels_per_s_per_host": float("inf")})
    assert raw.limit == "link"


def test_broadcast_over_hosts() -> None:
    hosts = np.array([1.0, 10.0, 80.0, 720.0, 5000.0])
    r = ingest_rate("dgx-a100-ingest", hosts)
    assert r.samples_per_s.shape == (5,)
    assert list(r.limit) == ["decode", "decode", "storage", "storage", "storage"]
    for i, h in enumerate(hosts):
        assert ingest_rate("dgx-a100-ingest", float(h)).samples_per_s == r.samples_per_s[i]
    t = epoch_time_s(
        np.array([0.0, 1.0, 100.0]), 1024, fleet(), ingest_rate("dgx-a100-ingest", 720)
    )
    assert t.shape == (3,) and np.all(np.diff(t) >= 0)


@settings(max_examples=60, deadline=None)
@given(
    h=st.floats(1, 1e5),
    extra=st.floats(0, 1e5),
    name=st.sampled_from(["dgx-a100-ingest", "dgx-h100-ingest", "dojo-exapod-ingest"]),
)
def test_more_hosts_never_slower(h: float, extra: float, name: str) -> None:
    a = ingest_rate(name, h)
    b = ingest_rate(name, h + extra)
    assert b.samples_per_s >= a.samples_per_s * (1 - 1e-12)
    d = fleet()
    assert epoch_time_s(1.0, 256, d, b) <= epoch_time_s(1.0, 256, d, a) * (1 + 1e-12)


@settings(max_examples=60, deadline=None)
@given(step=st.floats(0, 100), samples=st.floats(1, 1e5), epochs=st.floats(0, 100))
def test_step_never_faster_than_compute_or_ingest(
    step: float, samples: float, epochs: float
) -> None:
    r = ingest_rate("dojo-exapod-ingest", 80)
    t = epoch_time_s(step, samples, 1e7, r)
    steps = 1e7 / samples
    assert t >= steps * step * (1 - 1e-12)
    assert t >= steps * ingest_time_per_step(samples, r) * (1 - 1e-12)
    assert time_to_train_s(epochs, step, samples, 1e7, r) == pytest.approx(epochs * t)


# --- bad input -----------------------------------------------------------------------------------


def write(tmp_path: Path, data: dict[str, Any], name: str = "entry.yaml") -> Path:
    p = tmp_path / name
    p.write_text(yaml.safe_dump(data))
    return p


def load(p: Path) -> Any:
    return parse(DataEntry, yaml.safe_load(p.read_text()), file=str(p))


def dataset_yaml(**over: Any) -> dict[str, Any]:
    d: dict[str, Any] = {
        "name": "tiny",
        "type": "dataset",
        "source": "test",
        "clips": 10,
        "cameras": 2,
        "clip_duration": "1 s",
        "frame_rate": "10 Hz",
        "width": 100,
        "height": 100,
        "bits_per_pixel": 12,
        "codec": "h264",
        "bitrate": "8 Mb/s",
    }
    d.update(over)
    return d


def test_inline_dataset_with_bitrate() -> None:
    d = parse(DataEntry, dataset_yaml())
    assert isinstance(d, DatasetEntry)
    assert d.stored_bytes_per_frame == pytest.approx(8e6 / 8 / 10)  # 100 kB per frame
    assert d.bytes_per_sample == pytest.approx(2 * 10 * 1e5)


def test_negative_bitrate_names_file_and_field(tmp_path: Path) -> None:
    p = write(tmp_path, dataset_yaml(bitrate="-8 Mb/s"))
    with pytest.raises(SpecError) as exc:
        load(p)
    assert exc.value.file == str(p)
    assert exc.value.field == "bitrate"


@pytest.mark.parametrize(
    ("over", "field", "words"),
    [
        ({"bitrate": "8 GB"}, "bitrate", "wrong units"),
        ({"clips": 0}, "clips", "greater than 0"),
        ({"codec": "mpeg7"}, "codec", ""),
        ({"type": "camera"}, None, "unknown data type"),
        ({"bytes_per_frame": "1 kB"}, None, "either bitrate"),
        ({"frames_per_clip": 10}, None, "either frames_per_clip"),
        ({"colour": "red"}, "colour", "unknown field"),
    ],
)
def test_bad_dataset(tmp_path: Path, over: dict[str, Any], field: str | None, words: str) -> None:
    p = write(tmp_path, dataset_yaml(**over))
    with pytest.raises(SpecError) as exc:
        load(p)
    assert exc.value.file == str(p)
    if field:
        assert exc.value.field == field
    assert words in str(exc.value)


def ingest_yaml(**over: Any) -> dict[str, Any]:
    d: dict[str, Any] = {
        "name": "my-ingest",
        "type": "ingest",
        "source": "test",
        "dataset": "fsd-fleet-clips-10m",
        "decoder": "nvdec-dgx-a100",
        "storage": "tesla-hot-tier-2021",
        "chips_per_host": 8,
        "host_link_bandwidth": "128 GB/s",
    }
    d.update(over)
    return d


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("dataset", "fsd-fleet-clips-10", "did you mean"),
        ("decoder", "no-such-decoder", "unknown data"),
        ("storage", "nvdec-dgx-a100", "is a decoder, not a storage"),
        ("dataset", "tesla-hot-tier-2021", "is a storage, not a dataset"),
    ],
)
def test_bad_ingest_parts_name_file_and_field(
    tmp_path: Path, field: str, value: str, words: str
) -> None:
    p = write(tmp_path, ingest_yaml(**{field: value}))
    entry = load(p)
    assert isinstance(entry, IngestEntry)
    with pytest.raises(SpecError) as exc:
        resolve_ingest(entry, file=str(p))
    assert exc.value.file == str(p)
    assert exc.value.field == field
    assert words in str(exc.value)


def test_unknown_or_wrong_kind_of_ingest_name() -> None:
    with pytest.raises(SpecError, match="did you mean 'dgx-a100-ingest'"):
        resolve_ingest("dgx-a100-ingst")
    with pytest.raises(SpecError, match="not an ingest entry") as exc:
        resolve_ingest("fsd-fleet-clips-10m")
    assert exc.value.file and exc.value.file.endswith("fsd-fleet-clips-10m.yaml")


def test_decoder_must_decode_the_codec() -> None:
    parts = resolve_ingest("dgx-a100-ingest")
    jpeg = IngestParts(
        ingest=parts.ingest,
        dataset=catalog.get("data", "nuscenes-full"),
        decoder=parts.decoder,
        storage=parts.storage,
    )
    with pytest.raises(SpecError, match="does not decode 'jpeg'") as exc:
        ingest_rate(jpeg, 1)
    assert exc.value.field == "decoder"


@pytest.mark.parametrize("hosts", [0, -1, float("nan"), np.array([1.0, 0.0])])
def test_zero_or_negative_hosts(hosts: Any) -> None:
    with pytest.raises(SpecError) as exc:
        ingest_rate("dgx-a100-ingest", hosts)
    assert exc.value.field == "hosts"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"chips": 0}, "chips"),
        ({"samples_per_step": 0}, "samples_per_step"),
        ({"step_time_s": -1.0}, "step_time_s"),
        ({"epochs": -1.0}, "epochs"),
    ],
)
def test_bad_estimate_arguments(kwargs: dict[str, float], field: str) -> None:
    args: dict[str, float] = {"chips": 64, "samples_per_step": 64, "step_time_s": 1.0}
    args.update(kwargs)
    with pytest.raises(SpecError) as exc:
        estimate_ingest("dgx-a100-ingest", **args)  # type: ignore[arg-type]
    assert exc.value.field == field


def test_every_data_entry_is_sourced_and_typed() -> None:
    for name in catalog.names("data"):
        e = catalog.get("data", name)
        assert e.sources, name
        assert e.type in ("dataset", "decoder", "storage", "ingest")
        if isinstance(e, IngestEntry):
            resolve_ingest(name)
        if isinstance(e, DecoderEntry):
            assert e.pixels_per_s_per_host > 0
