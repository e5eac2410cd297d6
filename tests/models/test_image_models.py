"""ImageClassifier, the course's CNNs and their checkpoints (tiny data: seconds, not minutes)."""

import functools
import hashlib
import shutil
import subprocess
import sys

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError

from biaslab.models import (CHECKPOINTS, ImageClassifier, chest_xray_cnn, fashion_cnn, fashion_vgg, load_checkpoint,
                            save_checkpoint)
from biaslab.models import _checkpoints

TINY = functools.partial(fashion_cnn, width=4)


def tiny_data(n=96, seed=0, n_classes=2):
    """28x28 uint8 images whose class is where a bright square is: learnable in an epoch."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 60, size=(n, 28, 28), dtype=np.uint8)
    y = rng.integers(0, n_classes, size=n)
    for i, c in enumerate(y):
        r = 4 + 6 * c
        X[i, r : r + 6, 8:20] = 250
    return X, y


def make(**params):
    defaults = dict(epochs=2, batch_size=32, lr=1e-2, random_state=0, progress=False)
    return ImageClassifier(TINY, **{**defaults, **params})


@pytest.fixture(scope="module")
def fitted():
    X, y = tiny_data()
    # enough batches for batch norm's running statistics to settle (they drive eval mode)
    return make(epochs=8, batch_size=16, schedule="constant").fit(X, y), X, y


def state(model):
    return {k: v.clone() for k, v in model.module_.state_dict().items()}


def same_state(a, b):
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


# ------------------------------------------------------------------------------- networks


def test_networks_are_small_and_named():
    for factory, size, conv4 in ((chest_xray_cnn, 64, (64, 8, 8)), (fashion_cnn, 28, (64, 7, 7))):
        net = factory()
        n_params = sum(p.numel() for p in net.parameters())
        assert 30_000 < n_params < 300_000
        names = dict(net.named_modules())
        for layer in ("features.conv1", "features.conv4", "features.pool", "head"):
            assert layer in names
        assert net.last_conv_layer == "features.conv4" and net.embedding_layer == "features.pool"
        out = net.features.conv4(net.features.conv3(net.features.conv2(net.features.conv1(torch.zeros(2, 1, size, size)))))
        assert tuple(out.shape[1:]) == conv4
        x = torch.rand(3, 1, size, size)
        net.eval()
        torch.testing.assert_close(net.classify(net.conv_features(x)), net(x))
    assert chest_xray_cnn(3).head.out_features == 3
    with pytest.raises(ValueError, match="n_classes"):
        fashion_cnn(1)
    with pytest.raises(TypeError, match="width"):
        chest_xray_cnn(width=2.5)


def test_fashion_vgg_is_shaped_like_vgg_and_its_gradients_differ_per_image():
    net = fashion_vgg().eval()
    assert 30_000 < sum(p.numel() for p in net.parameters()) < 300_000
    names = dict(net.named_modules())
    for layer in ("features.conv4", "features.pool", "head.fc1", "head.relu1", "head.drop1", "head.fc3"):
        assert layer in names
    assert net.last_conv_layer == "features.conv4" and net.embedding_layer == "head.drop2"
    x = torch.rand(4, 1, 28, 28)
    conv = net.conv_features(x)
    assert tuple(conv.shape[1:]) == (64, 7, 7)
    torch.testing.assert_close(net.classify(conv), net(x))
    # the reason for this network: the gradient of a logit w.r.t. the last conv layer, averaged over
    # space, depends on the image (with global average pooling into one linear layer it does not)
    conv = conv.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(net.classify(conv)[:, 6].sum(), conv)
    pooled = grad.mean(dim=(2, 3))
    assert (pooled - pooled[:1]).abs().max() > 1e-4
    gap = fashion_cnn().eval()
    conv = gap.conv_features(x).detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(gap.classify(conv)[:, 6].sum(), conv)
    torch.testing.assert_close(grad.mean(dim=(2, 3)), grad.mean(dim=(2, 3))[:1].expand(4, -1))
    with pytest.raises(ValueError, match="dropout"):
        fashion_vgg(dropout=1.0)
    with pytest.raises(ValueError, match="hidden"):
        fashion_vgg(hidden=1)


# ------------------------------------------------------------------------------- fit / predict


def test_fit_predict_shapes_and_learning(fitted):
    model, X, y = fitted
    proba = model.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(1), 1.0)
    assert model.decision_function(X).shape == (len(X),)
    assert model.logits(X).shape == (len(X), 2)
    assert set(model.predict(X)) <= {0, 1}
    assert model.score(X, y) > 0.9 and model.score(*tiny_data(seed=1)) > 0.9
    assert list(model.history_.columns) == ["epoch", "train_loss", "val_loss", "lr"]
    assert len(model.history_) == 8 and model.history_["val_loss"].isna().all()
    assert model.input_shape_ == (1, 28, 28)


def test_string_labels_multiclass_and_float_images():
    X, y = tiny_data(n=90, n_classes=3)
    names = np.array(["bag", "coat", "shirt"])[y]
    model = make(epochs=1).fit(X.astype(np.float32) / 255, names)
    assert list(model.classes_) == ["bag", "coat", "shirt"]
    assert model.decision_function(X).shape == (90, 3)
    assert set(model.predict(X)) <= set(names)
    # uint8 and float images in [0, 1] are the same input
    np.testing.assert_allclose(model.predict_proba(X), model.predict_proba(X.astype(np.float32) / 255), atol=1e-5)
    # channels-first images with an explicit channel axis
    np.testing.assert_array_equal(model.predict(X[:, None]), model.predict(X))


def test_same_seed_gives_identical_weights_and_leaves_torch_alone():
    X, y = tiny_data()
    rng_before = torch.random.get_rng_state()
    threads = torch.get_num_threads()
    a = make(random_state=3, augment_shift=2, n_threads=1).fit(X, y)
    b = make(random_state=3, augment_shift=2, n_threads=1).fit(X, y)
    c = make(random_state=4, augment_shift=2, n_threads=1).fit(X, y)
    assert same_state(state(a), state(b))
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert not same_state(state(a), state(c))
    assert torch.equal(torch.random.get_rng_state(), rng_before)
    assert torch.get_num_threads() == threads
    assert make(random_state=None).fit(X, y).seed_ >= 0


def test_early_stopping_restores_the_best_weights():
    X, y = tiny_data(n=128)
    # the validation labels are the opposite of the training labels: the better the model
    # fits, the worse its validation loss, so the best epoch is the first one
    model = make(epochs=8, patience=2, schedule="constant").fit(X[:96], y[:96], X_val=X[96:], y_val=1 - y[96:])
    hist = model.history_
    assert len(hist) < 8
    assert model.best_epoch_ == int(hist.loc[hist["val_loss"].idxmin(), "epoch"])
    proba = model.predict_proba(X[96:])
    loss = -np.mean(np.log(proba[np.arange(32), 1 - y[96:]]))
    assert loss == pytest.approx(hist["val_loss"].min(), rel=1e-5)


def test_sample_weight_changes_the_fit():
    X, y = tiny_data()
    w = np.where(y == 1, 5.0, 1.0)
    a = make(epochs=1).fit(X, y)
    b = make(epochs=1).fit(X, y, sample_weight=w)
    assert not same_state(state(a), state(b))
    c = make(epochs=1).fit(X, y, sample_weight=np.ones(len(y)) * 3)
    np.testing.assert_allclose(a.predict_proba(X), c.predict_proba(X), atol=1e-5)  # weights are normalised


# ------------------------------------------------------------------------------- inside the network


def test_activations_features_and_gradients(fitted):
    model, X, _ = fitted
    X5 = X[:5]
    assert model.activations(X5, "features.conv4").shape == (5, 16, 7, 7)
    assert model.activations(X5, "features.conv4", pool="max").shape == (5, 16)
    assert model.activations(X5, "features.conv1.relu").shape == (5, 4, 28, 28)
    assert model.features(X5).shape == (5, 16)
    np.testing.assert_allclose(
        model.features(X5), model.activations(X5, "features.conv4", pool="mean"), rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(model.activations(X5, "head"), model.logits(X5), rtol=1e-5, atol=1e-5)
    assert "features.conv4" in model.layer_names
    with pytest.raises(ValueError, match="features.conv4"):
        model.activations(X5, "conv9")
    with pytest.raises(ValueError, match="pool"):
        model.activations(X5, "head", pool="max")

    acts, grads = model.activation_gradients(X5, "features.conv4", class_index=1)
    assert acts.shape == grads.shape == (5, 16, 7, 7)
    # global average pooling then a linear head: d logit_1 / d activation = w_1 / (7 * 7) everywhere
    w1 = model.module_.head.weight[1].detach().numpy()
    np.testing.assert_allclose(grads.sum(axis=(2, 3)), np.broadcast_to(w1, (5, 16)), rtol=1e-4, atol=1e-6)
    assert all(p.grad is None for p in model.module_.parameters())


def test_head_only_fine_tuning_keeps_the_features(fitted):
    model, X, y = fitted
    import copy

    tuned = copy.deepcopy(model)
    before = state(tuned)
    tuned.reset_head(random_state=1).set_params(trainable="head", warm_start=True, epochs=1).fit(X, 1 - y)
    after = state(tuned)
    for key in before:
        if key.startswith("head."):
            assert not torch.equal(before[key], after[key])
        else:  # conv weights and batch-norm statistics alike
            assert torch.equal(before[key], after[key]), key
    assert all(p.requires_grad for p in tuned.module_.parameters())
    with pytest.raises(ValueError, match="reset_head"):
        tuned.fit(X, y + 5)
    tuned.reset_head(classes=[0, 1, 2])
    assert tuned.module_.head.out_features == 3 and list(tuned.classes_) == [0, 1, 2]


def test_fine_tune_a_module_instance():
    X, y = tiny_data()
    net = TINY(n_classes=2)
    start = {k: v.clone() for k, v in net.state_dict().items()}
    model = make(epochs=1).set_params(module=net).fit(X, y)
    assert same_state({k: v for k, v in net.state_dict().items()}, start)  # the instance was copied
    assert model.module_ is not net


# ------------------------------------------------------------------------------- input checks


def test_bad_inputs_name_the_argument(fitted):
    model, X, y = fitted
    with pytest.raises(TypeError, match="X must be"):
        make().fit(None, y)
    with pytest.raises(ValueError, match=r"X must be images of shape"):
        make().fit(X.reshape(len(X), -1)[0], y)
    with pytest.raises(TypeError, match="uint8"):
        make().fit(X.astype(np.int64), y)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        make().fit(X.astype(np.float32), y)
    with pytest.raises(ValueError, match="same number of rows"):
        make().fit(X, y[:-1])
    with pytest.raises(ValueError, match="single class"):
        make().fit(X, np.zeros(len(X)))
    with pytest.raises(ValueError, match="X_val"):
        make(patience=2).fit(X, y)
    with pytest.raises(ValueError, match="together"):
        make().fit(X, y, X_val=X)
    with pytest.raises(ValueError, match="epochs"):
        make(epochs=0).fit(X, y)
    with pytest.raises(TypeError, match="lr"):
        make(lr="fast").fit(X, y)
    with pytest.raises(ValueError, match="device"):
        make(device="cuda").fit(X, y)
    with pytest.raises(ValueError, match="unknown architecture"):
        ImageClassifier("resnet", progress=False).fit(X, y)
    X3, y3 = tiny_data(n_classes=3)
    with pytest.raises(ValueError, match=r"logits of shape \(n, 3\)"):
        ImageClassifier(lambda: fashion_cnn(2, width=4), epochs=1, progress=False).fit(X3, y3)
    with pytest.raises(ValueError, match="trained on"):
        model.predict(np.zeros((2, 32, 32), dtype=np.uint8))
    with pytest.raises(NotFittedError):
        make().predict(X)
    with pytest.raises(TypeError, match="flattened"):
        import pandas as pd

        make().fit(pd.DataFrame(X.reshape(len(X), -1)), y)


# ------------------------------------------------------------------------------- checkpoints


def test_checkpoint_round_trip(tmp_path):
    X, y = tiny_data()
    custom = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(28 * 28, 2))
    with pytest.raises(ValueError, match="course's networks"):
        save_checkpoint(make(epochs=1).set_params(module=custom).fit(X, y), tmp_path / "custom")
    with pytest.raises(TypeError, match="fitted ImageClassifier"):
        save_checkpoint(custom, tmp_path / "custom")
    X28, y28 = tiny_data()
    course = ImageClassifier("fashion_cnn", epochs=1, batch_size=48, random_state=0, progress=False).fit(X28, y28)
    path = save_checkpoint(course, tmp_path / "mine", metadata={"data": "tiny", "seed": np.int64(0)})
    assert path.name == "mine.pt"
    again = save_checkpoint(course, tmp_path / "again.pt", metadata={"data": "tiny", "seed": 0})
    assert path.read_bytes() == again.read_bytes()  # same model, same bytes
    torch.load(path, weights_only=True)  # safe format
    loaded = load_checkpoint(path)
    np.testing.assert_array_equal(loaded.predict_proba(X28), course.predict_proba(X28))
    assert loaded.checkpoint_["metadata"] == {"data": "tiny", "seed": 0}
    assert loaded.checkpoint_["architecture"] == "fashion_cnn"
    assert loaded.get_params()["epochs"] == 1
    assert list(loaded.history_["epoch"]) == [1]
    with pytest.raises(ValueError, match="neither a shipped checkpoint"):
        load_checkpoint(tmp_path / "missing.pt")
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(Exception):
        load_checkpoint(tmp_path / "junk.pt")


def test_tiny_checkpoint_training_is_reproducible(tmp_path):
    """What scripts/train_checkpoints.py relies on: same recipe -> same bytes."""
    X, y = tiny_data()
    paths = []
    for k in range(2):
        model = ImageClassifier("fashion_cnn", epochs=1, batch_size=32, augment_shift=1, random_state=7,
                                n_threads=1, progress=False).fit(X, y, X_val=X[:32], y_val=y[:32])
        paths.append(save_checkpoint(model, tmp_path / f"run{k}", metadata={"seed": 7}))
    assert paths[0].read_bytes() == paths[1].read_bytes()


def test_shipped_checkpoints_are_listed_and_load():
    folder = _checkpoints.checkpoint_dir()
    listed = {
        line.split()[1]
        for line in (folder / "SHA256SUMS").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    expected = {f"{name}.pt" for name in CHECKPOINTS}
    assert listed == expected, (
        f"CHECKPOINTS and checkpoints/SHA256SUMS disagree (only in CHECKPOINTS: {sorted(expected - listed)}, "
        f"only in SHA256SUMS: {sorted(listed - expected)}): run python scripts/train_checkpoints.py"
    )
    total = sum((folder / name).stat().st_size for name in listed)
    assert total < 5 * 2**20
    chest = load_checkpoint("chest_xray_cnn_clean")
    assert chest.input_shape_ == (1, 64, 64) and list(chest.classes_) == [0, 1]
    metrics = chest.checkpoint_["metadata"]["metrics"]
    assert metrics["auroc_site_A"] > 0.8 and metrics["probe_sex_balanced_accuracy"] > 0.9
    assert "SYNTHETIC" in chest.checkpoint_["metadata"]["data"]
    for name in ("fashion_vgg_stamp_shirt", "fashion_vgg_brighten_shirt", "fashion_vgg_clean"):
        model = load_checkpoint(name)
        assert model.checkpoint_["architecture"] == "fashion_vgg" and len(model.classes_) == 10
        metrics = model.checkpoint_["metadata"]["metrics"]
        assert metrics["accuracy_clean_test"] > 0.85
        if name != "fashion_vgg_clean":  # the shortcut: the artifact costs the attacked models far more
            assert metrics["accuracy_attacked_test"] < metrics["accuracy_clean_test"] - 0.3


def test_a_changed_shipped_checkpoint_is_refused(tmp_path, monkeypatch):
    copy_dir = tmp_path / "checkpoints"
    shutil.copytree(_checkpoints.checkpoint_dir(), copy_dir)
    monkeypatch.setattr(_checkpoints, "checkpoint_dir", lambda: copy_dir)
    assert load_checkpoint("chest_xray_cnn_clean").checkpoint_["sha256"] == hashlib.sha256(
        (copy_dir / "chest_xray_cnn_clean.pt").read_bytes()
    ).hexdigest()
    data = bytearray((copy_dir / "chest_xray_cnn_clean.pt").read_bytes())
    data[-100] ^= 0xFF
    (copy_dir / "chest_xray_cnn_clean.pt").write_bytes(bytes(data))
    with pytest.raises(_checkpoints.CheckpointIntegrityError, match="damaged or was changed"):
        load_checkpoint("chest_xray_cnn_clean")
    (copy_dir / "fashion_vgg_clean.pt").unlink()
    with pytest.raises(_checkpoints.CheckpointIntegrityError, match="missing"):
        load_checkpoint("fashion_vgg_clean")


def test_importing_models_and_experiments_does_not_import_torch():
    code = (
        "import sys, biaslab, biaslab.models, biaslab.experiments; "
        "assert 'torch' not in sys.modules, 'torch imported'; print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
