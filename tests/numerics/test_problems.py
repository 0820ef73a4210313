"""The learning problems: moving-digit clips and the character corpus, as specified."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import pytest
import torch

from dojosim.numerics import charlm, video
from dojosim.numerics.quantizer import identity


@pytest.fixture(scope="module")
def images() -> torch.Tensor:
    return video.digit_images(12)


def test_clips_are_seeded_frames_of_bouncing_digits(images: torch.Tensor) -> None:
    clips = video.make_clips(images, 16, 12, 3, 32, torch.Generator().manual_seed(4))
    assert clips.shape == (16, 12, 32, 32)
    assert float(clips.min()) >= 0.0 and float(clips.max()) <= 1.0
    again = video.make_clips(images, 16, 12, 3, 32, torch.Generator().manual_seed(4))
    other = video.make_clips(images, 16, 12, 3, 32, torch.Generator().manual_seed(5))
    assert torch.equal(clips, again) and not torch.equal(clips, other)
    # Frames change (the digits move) but only a little from one frame to the next.
    step = (clips[:, 1:] - clips[:, :-1]).abs().mean()
    assert 0.0 < float(step) < float(clips.mean())


def test_bounce_reflects_inside_the_frame() -> None:
    p, v = torch.tensor([0, 19, 20, 1]), torch.tensor([-2, 2, 1, -1])
    p2, v2 = video.bounce(p, v, 20)
    assert p2.tolist() == [2, 19, 19, 0] and v2.tolist() == [2, -2, -1, -1]
    g = torch.Generator().manual_seed(0)
    p = torch.randint(0, 21, (500,), generator=g)
    v = torch.randint(1, 3, (500,), generator=g) * (
        2 * torch.randint(0, 2, (500,), generator=g) - 1
    )
    for _ in range(100):
        p, v = video.bounce(p, v, 20)
        assert int(p.min()) >= 0 and int(p.max()) <= 20


def test_held_out_clips_do_not_depend_on_the_seed_and_copy_last_is_the_baseline() -> None:
    a = video.MovingDigits(val_clips=8)
    b = video.MovingDigits(val_clips=8)
    assert torch.equal(a.val_x, b.val_x) and torch.equal(a.val_y, b.val_y)
    assert a.val_x.shape == (8 * 5, 3, 32, 32)  # 8-frame clips: 5 predictions each
    assert a.copy_last_loss == pytest.approx(float(((a.val_x[:, -1:] - a.val_y) ** 2).mean()))
    # The predictor starts near the copy-last-frame baseline (its output adds to frame t).
    torch.manual_seed(0)
    model = a.build(identity)
    with torch.no_grad():
        assert a.evaluate(model)["loss"] < 3 * a.copy_last_loss
    x, y = next(a.batches(0))
    assert x.shape == (32, 3, 32, 32) and y.shape == (32, 1, 32, 32)
    assert torch.equal(next(a.batches(1))[0], next(b.batches(1))[0])


def test_corpus_ships_with_python_and_the_split_is_fixed() -> None:
    path = Path(sysconfig.get_paths()["stdlib"]) / "pydoc_data" / "topics.py"
    assert path.exists()
    text = charlm.corpus_text()
    assert len(text) > 200_000 and "def" in text
    train, val = charlm.split(text)
    assert len(train) + len(val) == len(text)
    assert 0.09 < len(val) / len(text) < 0.11
    assert val[:1000] == text[9000:10000]  # every tenth chunk
    assert charlm.split(text) == (train, val)


def test_the_language_model_is_causal() -> None:
    task = charlm.CharLM(val_chars=1000)
    torch.manual_seed(0)
    model = task.build(identity)
    x = task.val_x[:2].clone()
    with torch.no_grad():
        before = model(x)
        x[:, 40:] = (x[:, 40:] + 1) % len(task.chars)
        after = model(x)
    assert torch.allclose(before[:, :40], after[:, :40], atol=1e-6)
    assert not torch.allclose(before[:, 40:], after[:, 40:])
    assert task.val_x.shape[1] == 64 and task.evaluate(model)["loss"] > 3.0  # untrained
