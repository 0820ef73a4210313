"""Video ingest: can the hosts feed the accelerators, and how long do N epochs take?

A *sample* is one clip: every camera, every frame. Three things limit how many
samples per second a system's hosts deliver to its accelerators:

- **decode**: the hosts' video decoders (NVDEC engines on the GPUs, or CPU cores),
  in pixels per second, divided by the pixels of one clip;
- **storage**: the data store's aggregate read bandwidth (capped by each host's
  network, when known), divided by the stored (compressed) bytes of one clip;
- **link**: each host's link to its accelerators, divided by the bytes that
  cross it per clip: compressed bytes when decode happens on the accelerator
  (NVDEC), decoded bytes when the host CPU decodes.

The delivered rate is the least of the three and ``limit`` names it. With ingest
overlapped with compute (a prefetching input pipeline), a step takes the longer
of its compute time and the time to ingest its samples; an epoch is one pass
over every clip of the dataset.

Everything is SI floats: seconds, bytes, bytes/s, samples/s. The functions take
NumPy arrays wherever a scalar fits (``hosts``, ``step_time_s``,
``samples_per_step``) and broadcast; ``limit`` is then an array of names.
The estimator needs only :func:`estimate_ingest` (an ingest entry, the chip
count, samples per step, the step time and the number of epochs).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from dojosim.errors import CatalogError, SpecError
from dojosim.spec.data import DatasetEntry, DecoderEntry, IngestEntry, StorageEntry

Num = Any  # a float, or a NumPy array of floats that broadcasts with the other arguments

LIMITS: tuple[str, str, str] = ("decode", "storage", "link")


@dataclass(frozen=True)
class IngestParts:
    """An ``ingest`` entry resolved to its dataset, decoder and storage entries."""

    ingest: IngestEntry
    dataset: DatasetEntry
    decoder: DecoderEntry
    storage: StorageEntry

    @property
    def name(self) -> str:
        return self.ingest.name

    @property
    def link_bytes_per_sample(self) -> float:
        """Bytes per clip over the host-to-accelerator link (B): compressed or decoded."""
        if self.decoder.location == "accelerator":
            return self.dataset.bytes_per_sample
        return self.dataset.raw_bytes_per_sample


def _data_file(name: str) -> str | None:
    from dojosim import catalog

    try:
        return str(catalog.path("data", name))
    except CatalogError:
        return None


def resolve_ingest(entry: str | IngestEntry, *, file: str | None = None) -> IngestParts:
    """Resolve an ``ingest`` catalog name (or entry) to its parts.

    An unknown name, or a name of the wrong ``type``, raises :class:`SpecError`
    naming ``file`` (the ingest entry's file) and the field (``dataset``,
    ``decoder`` or ``storage``).
    """
    from dojosim import catalog

    if isinstance(entry, str):
        file = _data_file(entry) if file is None else file
        spec = catalog.get("data", entry)
        if not isinstance(spec, IngestEntry):
            raise SpecError(
                f"{entry!r} is a {spec.type}, not an ingest entry", file=file, field="type"
            )
        entry = spec
    wanted: dict[str, type[Any]] = {
        "dataset": DatasetEntry,
        "decoder": DecoderEntry,
        "storage": StorageEntry,
    }
    found: dict[str, Any] = {}
    for field, cls in wanted.items():
        name = getattr(entry, field)
        try:
            part = catalog.get("data", name)
        except CatalogError as exc:
            raise SpecError(exc.detail, file=file, field=field) from None
        if not isinstance(part, cls):
            raise SpecError(
                f"{name!r} is a {part.type}, not a {field}", file=file, field=field
            ) from None
        found[field] = part
    return IngestParts(ingest=entry, **found)


def _parts(parts: str | IngestParts) -> IngestParts:
    return resolve_ingest(parts) if isinstance(parts, str) else parts


def _positive(value: Num, field: str, *, allow_zero: bool = False, allow_inf: bool = False) -> Any:
    arr = np.asarray(value, dtype=float)
    finite = ~np.isnan(arr) if allow_inf else np.isfinite(arr)
    bad = ~finite | ((arr < 0) if allow_zero else (arr <= 0))
    if np.any(bad):
        need = "non-negative" if allow_zero else "positive"
        raise SpecError(f"must be {need} and finite, got {value!r}", field=field)
    return value


def hosts_for(chips: Num, chips_per_host: float) -> Num:
    """Hosts serving ``chips`` accelerator chips: ``ceil(chips / chips_per_host)``."""
    _positive(chips, "chips")
    _positive(chips_per_host, "chips_per_host")
    hosts = np.ceil(np.asarray(chips, dtype=float) / chips_per_host - 1e-9)
    return float(hosts) if np.ndim(hosts) == 0 else hosts


@dataclass(frozen=True)
class IngestRate:
    """Samples (clips) per second the hosts can deliver, by limit (samples/s), and which binds."""

    hosts: Num
    decode_samples_per_s: Num
    storage_samples_per_s: Num
    link_samples_per_s: Num
    samples_per_s: Num
    bytes_per_sample: float  # stored bytes per clip (B)
    link_bytes_per_sample: float  # bytes per clip over the host link (B)
    limit: Any  # "decode" | "storage" | "link" (an array of names when inputs are arrays)


def ingest_rate_si(
    *,
    hosts: Num,
    decode_pixels_per_s_per_host: float,
    pixels_per_sample: float,
    bytes_per_sample: float,
    link_bytes_per_sample: float,
    host_link_bandwidth: float,
    storage_bandwidth: float,
    host_network_bandwidth: float | None = None,
) -> IngestRate:
    """The three ingest limits in samples/s, from SI figures.

    ``hosts`` (a count, or an array of counts),
    ``decode_pixels_per_s_per_host`` (px/s; ``inf`` for raw frames), ``pixels_per_sample`` (px in one
    clip, all cameras and frames), ``bytes_per_sample`` (stored B per clip),
    ``link_bytes_per_sample`` (B per clip over the host link),
    ``host_link_bandwidth`` and ``host_network_bandwidth`` (B/s per host),
    ``storage_bandwidth`` (aggregate B/s).
    """
    _positive(hosts, "hosts")
    _positive(decode_pixels_per_s_per_host, "decode_pixels_per_s_per_host", allow_inf=True)
    for field, v in (
        ("pixels_per_sample", pixels_per_sample),
        ("bytes_per_sample", bytes_per_sample),
        ("link_bytes_per_sample", link_bytes_per_sample),
        ("host_link_bandwidth", host_link_bandwidth),
        ("storage_bandwidth", storage_bandwidth),
    ):
        _positive(v, field)
    h = np.asarray(hosts, dtype=float)
    decode = h * decode_pixels_per_s_per_host / pixels_per_sample
    read_bw = np.full_like(h, storage_bandwidth)
    if host_network_bandwidth is not None:
        _positive(host_network_bandwidth, "host_network_bandwidth")
        read_bw = np.minimum(read_bw, h * host_network_bandwidth)
    storage = read_bw / bytes_per_sample
    link = h * host_link_bandwidth / link_bytes_per_sample
    stack = np.stack(np.broadcast_arrays(decode, storage, link))
    rate = stack.min(axis=0)
    names = np.asarray(LIMITS)[stack.argmin(axis=0)]

    def out(x: Any) -> Any:
        return float(x) if np.ndim(x) == 0 else x

    return IngestRate(
        hosts=out(h),
        decode_samples_per_s=out(decode),
        storage_samples_per_s=out(storage),
        link_samples_per_s=out(link),
        samples_per_s=out(rate),
        bytes_per_sample=float(bytes_per_sample),
        link_bytes_per_sample=float(link_bytes_per_sample),
        limit=str(names) if np.ndim(names) == 0 else names,
    )


def ingest_rate(parts: str | IngestParts, hosts: Num) -> IngestRate:
    """Samples/s that ``hosts`` hosts of an ingest entry (name or parts) can deliver."""
    p = _parts(parts)
    ds = p.dataset
    if ds.codec not in p.decoder.codecs and ds.codec != "raw":
        raise SpecError(
            f"decoder {p.decoder.name!r} does not decode {ds.codec!r} (it decodes "
            f"{', '.join(p.decoder.codecs)})",
            file=_data_file(p.name),
            field="decoder",
        )
    # a raw dataset has nothing to decode
    decode_px = math.inf if ds.codec == "raw" else p.decoder.pixels_per_s_per_host
    return ingest_rate_si(
        hosts=hosts,
        decode_pixels_per_s_per_host=decode_px,
        pixels_per_sample=ds.frames_per_sample * ds.pixels_per_frame,
        bytes_per_sample=ds.bytes_per_sample,
        link_bytes_per_sample=p.link_bytes_per_sample,
        host_link_bandwidth=p.ingest.host_link_bandwidth,
        storage_bandwidth=p.storage.read_bandwidth,
        host_network_bandwidth=p.ingest.host_network_bandwidth,
    )


def ingest_time_per_step(samples_per_step: Num, rate: IngestRate) -> Num:
    """Seconds to ingest one step's samples at ``rate`` (s)."""
    _positive(samples_per_step, "samples_per_step")
    return np.asarray(samples_per_step, dtype=float) / rate.samples_per_s + 0.0


def _clips(dataset: DatasetEntry | float) -> float:
    return dataset.clips if isinstance(dataset, DatasetEntry) else float(dataset)


def epoch_time_s(
    step_time_s: Num, samples_per_step: Num, dataset: DatasetEntry | float, ingest: IngestRate
) -> Num:
    """Seconds for one pass over every clip of ``dataset`` (an entry, or a clip count).

    Ingest overlaps compute, so each step takes ``max(step_time_s, ingest time per
    step)``; the epoch has ``clips / samples_per_step`` steps (fractional: the
    last partial step is prorated).
    """
    _positive(step_time_s, "step_time_s", allow_zero=True)
    clips = _positive(_clips(dataset), "clips")
    per_step = np.maximum(step_time_s, ingest_time_per_step(samples_per_step, ingest))
    return clips / np.asarray(samples_per_step, dtype=float) * per_step + 0.0


def time_to_train_s(
    epochs: Num,
    step_time_s: Num,
    samples_per_step: Num,
    dataset: DatasetEntry | float,
    ingest: IngestRate,
) -> Num:
    """Seconds to train ``epochs`` passes over ``dataset`` (see :func:`epoch_time_s`)."""
    _positive(epochs, "epochs", allow_zero=True)
    return np.asarray(epochs, dtype=float) * epoch_time_s(
        step_time_s, samples_per_step, dataset, ingest
    )


@dataclass(frozen=True)
class IngestEstimate:
    """Ingest of one training job: rates (samples/s), bytes, the limit and the time to train.

    ``seconds_per_step`` is the time to ingest one step's samples;
    ``exposed_ingest_s_per_step`` the part of it not hidden behind compute;
    ``bound`` is ``"ingest"`` when ingest, not compute, sets the step time.
    """

    ingest: str
    dataset: str
    chips: float
    hosts: float
    decode_samples_per_s: float
    storage_samples_per_s: float
    link_samples_per_s: float
    samples_per_s: float
    bytes_per_sample: float
    raw_bytes_per_sample: float
    frames_per_sample: float
    limit: str
    samples_per_step: float
    step_time_s: float
    seconds_per_step: float
    exposed_ingest_s_per_step: float
    bound: str
    epochs: float
    epoch_s: float
    time_to_train_s: float
    dataset_bytes: float
    fits_in_storage: bool | None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping of every field (SI units)."""
        return asdict(self)


def estimate_ingest(
    ingest: str | IngestParts,
    *,
    chips: float,
    samples_per_step: float,
    step_time_s: float,
    epochs: float = 1.0,
) -> IngestEstimate:
    """Ingest limits and time to train for a job on ``chips`` chips.

    ``ingest`` is an ingest catalog name (or resolved parts); hosts are
    ``ceil(chips / chips_per_host)``; ``samples_per_step`` clips per optimizer
    step; ``step_time_s`` the compute step time (s); ``epochs`` passes over the
    dataset.
    """
    p = _parts(ingest)
    _positive(samples_per_step, "samples_per_step")
    _positive(step_time_s, "step_time_s", allow_zero=True)
    _positive(epochs, "epochs", allow_zero=True)
    hosts = hosts_for(chips, p.ingest.chips_per_host)
    rate = ingest_rate(p, hosts)
    t_ingest = float(ingest_time_per_step(samples_per_step, rate))
    epoch = float(epoch_time_s(step_time_s, samples_per_step, p.dataset, rate))
    capacity = p.storage.capacity
    return IngestEstimate(
        ingest=p.name,
        dataset=p.dataset.name,
        chips=float(chips),
        hosts=float(hosts),
        decode_samples_per_s=float(rate.decode_samples_per_s),
        storage_samples_per_s=float(rate.storage_samples_per_s),
        link_samples_per_s=float(rate.link_samples_per_s),
        samples_per_s=float(rate.samples_per_s),
        bytes_per_sample=rate.bytes_per_sample,
        raw_bytes_per_sample=p.dataset.raw_bytes_per_sample,
        frames_per_sample=p.dataset.frames_per_sample,
        limit=str(rate.limit),
        samples_per_step=float(samples_per_step),
        step_time_s=float(step_time_s),
        seconds_per_step=t_ingest,
        exposed_ingest_s_per_step=max(0.0, t_ingest - float(step_time_s)),
        bound="ingest" if t_ingest > step_time_s else "compute",
        epochs=float(epochs),
        epoch_s=epoch,
        time_to_train_s=float(epochs) * epoch,
        dataset_bytes=p.dataset.total_bytes,
        fits_in_storage=None if capacity is None else p.dataset.total_bytes <= capacity,
    )
