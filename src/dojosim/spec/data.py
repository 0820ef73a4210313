"""Schemas of the ``data`` catalog kind: video datasets, decoders, storage and ingest bundles.

All entries live in ``catalog/data/`` and share the kind ``data``; the field
``type`` says which schema applies (``DataEntry`` dispatches on it, as
:class:`dojosim.site.schema.SiteEntry` does):

- ``dataset``: a corpus of clips (cameras x frames x width x height), its raw
  bits per pixel, codec and compressed size (a bitrate per camera stream or
  bytes per frame), optional label bytes per clip;
- ``decoder``: the video-decode throughput of one host (frames/s of each engine
  at a reference resolution, scaled by pixel count);
- ``storage``: the aggregate read bandwidth (and capacity) of the training data store;
- ``ingest``: a bundle naming a dataset, a decoder and a storage for a system,
  with the accelerator chips served by one host and the host's links.

Values are quantities with units parsed into SI floats (counts and pixels are
plain numbers). Every entry names its ``source``; a value may carry its own
``{value, source}`` or ``{value, derived}``; ``estimate: true`` marks an entry
whose figures are our inference rather than a published value.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from annotated_types import Gt
from pydantic import BeforeValidator, Field, model_validator

from dojosim.spec.base import Registry, TypedEntry
from dojosim.spec.quantities import Bandwidth, Bytes, Hertz, PosBytes, PosRatio, PosSeconds
from dojosim.units import to_si


def _count(value: Any) -> float:
    """A positive count (clips, cameras, pixels, engines): a number, ``"10e6"`` or ``{value: ...}``."""
    if isinstance(value, dict):
        if "value" not in value:
            raise ValueError("expected a mapping with 'value:' and 'source:' (or 'derived:')")
        value = value["value"]
    return to_si(value, "dimensionless")


Count = Annotated[float, BeforeValidator(_count), Gt(0)]

Codec = Literal["h264", "hevc", "av1", "vp9", "jpeg", "raw"]


class DataEntry(TypedEntry):
    """Base of every data entry; validating ``DataEntry`` returns the schema named by ``type``."""

    kind: Literal["data"] = "data"

    @classmethod
    def registry(cls) -> Registry:
        return DATA_TYPES


class DatasetEntry(DataEntry):
    """A video corpus. One *sample* is one clip: every camera, every frame.

    Give the frames of one camera stream as ``frames_per_clip``, or as
    ``clip_duration`` x ``frame_rate``. Give the stored (compressed) size as
    ``bitrate`` (bits/s of one camera stream; needs ``frame_rate``) or as
    ``bytes_per_frame``; a ``raw`` codec stores the raw frame. ``bits_per_pixel`` is
    the raw frame the model consumes (e.g. 12 for 12-bit raw or 8-bit YUV 4:2:0,
    24 for 8-bit RGB).
    """

    type: Literal["dataset"] = "dataset"
    clips: Count
    cameras: Count = 1.0
    frames_per_clip: Count | None = None
    clip_duration: PosSeconds | None = None
    frame_rate: Hertz | None = None
    width: Count
    height: Count
    bits_per_pixel: Count
    codec: Codec
    bitrate: Bandwidth | None = None
    bytes_per_frame: PosBytes | None = None
    label_bytes_per_clip: Bytes = 0.0

    @model_validator(mode="after")
    def _shape(self) -> DatasetEntry:
        timed = self.clip_duration is not None
        if (self.frames_per_clip is not None) == timed:
            raise ValueError("give either frames_per_clip or clip_duration (with frame_rate)")
        if timed and self.frame_rate is None:
            raise ValueError("clip_duration needs frame_rate")
        if self.codec == "raw":
            if self.bitrate is not None or self.bytes_per_frame is not None:
                raise ValueError("a raw dataset stores the raw frame: omit bitrate/bytes_per_frame")
        elif (self.bitrate is None) == (self.bytes_per_frame is None):
            raise ValueError("give either bitrate (per camera stream) or bytes_per_frame")
        if self.bitrate is not None and self.frame_rate is None:
            raise ValueError("bitrate needs frame_rate (to turn bits/s into bytes per frame)")
        return self

    @property
    def frames_per_camera(self) -> float:
        """Frames of one camera stream in one clip."""
        if self.frames_per_clip is not None:
            return self.frames_per_clip
        assert self.clip_duration is not None and self.frame_rate is not None
        return self.clip_duration * self.frame_rate

    @property
    def frames_per_sample(self) -> float:
        """Frames in one clip, all cameras."""
        return self.cameras * self.frames_per_camera

    @property
    def pixels_per_frame(self) -> float:
        return self.width * self.height

    @property
    def raw_bytes_per_frame(self) -> float:
        """Bytes of one decoded frame (B)."""
        return self.pixels_per_frame * self.bits_per_pixel / 8.0

    @property
    def stored_bytes_per_frame(self) -> float:
        """Bytes of one frame as stored (compressed; raw for a raw codec) (B)."""
        if self.bytes_per_frame is not None:
            return self.bytes_per_frame
        if self.bitrate is not None:
            assert self.frame_rate is not None
            return self.bitrate / self.frame_rate
        return self.raw_bytes_per_frame

    @property
    def bytes_per_sample(self) -> float:
        """Stored bytes of one clip, labels included (B): what storage must read."""
        return self.frames_per_sample * self.stored_bytes_per_frame + self.label_bytes_per_clip

    @property
    def raw_bytes_per_sample(self) -> float:
        """Decoded bytes of one clip, labels included (B)."""
        return self.frames_per_sample * self.raw_bytes_per_frame + self.label_bytes_per_clip

    @property
    def total_bytes(self) -> float:
        """Stored bytes of the whole corpus (B)."""
        return self.clips * self.bytes_per_sample


class DecoderEntry(DataEntry):
    """Video-decode throughput of one host.

    ``frames_per_s`` is what one engine (an NVDEC unit, or one CPU core) decodes
    at ``reference_width`` x ``reference_height`` in ``codecs``; a host has
    ``engines`` per device and ``devices_per_host`` devices (GPUs, or 1 for a
    CPU pool). Throughput at another resolution scales with pixel count.
    ``location`` says where decoded frames land: ``accelerator`` (NVDEC writes
    into GPU memory, so only compressed bytes cross the host link) or ``host``
    (decoded frames then cross the host link to the accelerators).
    """

    type: Literal["decoder"] = "decoder"
    location: Literal["accelerator", "host"]
    codecs: list[Codec] = Field(min_length=1)
    frames_per_s: Hertz
    reference_width: Count
    reference_height: Count
    engines: Count = 1.0
    devices_per_host: Count = 1.0

    @property
    def pixels_per_s_per_host(self) -> float:
        """Decoded pixels per second of one host (px/s)."""
        ref = self.reference_width * self.reference_height
        return self.frames_per_s * ref * self.engines * self.devices_per_host

    def frames_per_s_per_host(self, width: float, height: float) -> float:
        """Frames per second one host decodes at ``width`` x ``height`` (frames/s)."""
        return self.pixels_per_s_per_host / (width * height)


class StorageEntry(DataEntry):
    """The training data store: aggregate read bandwidth (B/s) and optional capacity (B)."""

    type: Literal["storage"] = "storage"
    read_bandwidth: Bandwidth
    capacity: PosBytes | None = None


class IngestEntry(DataEntry):
    """A system's ingest path: dataset, decoder and storage by name, and the host fan-out.

    ``chips_per_host`` accelerator chips share one host (8 on a DGX).
    ``host_link_bandwidth`` is the bandwidth from one host to its accelerators
    (B/s); ``host_network_bandwidth``, when given, caps each host's storage reads.
    """

    type: Literal["ingest"] = "ingest"
    dataset: str
    decoder: str
    storage: str
    system: str | None = None
    chips_per_host: PosRatio
    host_link_bandwidth: Bandwidth
    host_network_bandwidth: Bandwidth | None = None


DATA_TYPES: dict[str, type[DataEntry]] = {
    "dataset": DatasetEntry,
    "decoder": DecoderEntry,
    "storage": StorageEntry,
    "ingest": IngestEntry,
}
