"""Widgets for module 06: concepts and saliency."""

from __future__ import annotations

import numpy as np

__all__ = ["saliency_explorer"]


def saliency_explorer(model, images, artifact_images, *, labels=None, class_names=None, masks=None,
                      methods=("gradient", "gradient_x_input"), target_class=None):
    """Pick an image, switch the artifact on or off, choose a saliency method: see what the model says.

    Everything is computed once, on construction (predictions and one saliency map per image,
    version and method), so moving a knob only redraws.

    Parameters
    ----------
    model : torch.nn.Module or fitted ImageClassifier
    images : array (n, H, W)
        Clean images (a handful: 5-30).
    artifact_images : array (n, H, W)
        The same images with the artifact.
    labels : array (n,), optional
        True class of each image (shown in the title).
    class_names : sequence of str, optional
        Names of the model's classes, by class index.
    masks : bool array (n, H, W), optional
        The artifact's pixels (outlined; also gives the share of the relevance on the artifact).
    methods : sequence of str
        Saliency methods of :func:`biaslab.explain.saliency_map` to offer.
    target_class : int, optional
        Explain this class for every image (default: each image's predicted class).

    Returns
    -------
    ipywidgets.VBox
        With ``.image``, ``.artifact`` and ``.method`` (the controls), ``.update(image=...,
        artifact=..., method=...)`` to set them from code, and ``.shown``: a dict of what is
        displayed (``image``, ``heatmap``, ``predicted``, ``probability``, ``artifact_share``).
    """
    import ipywidgets as widgets

    from ._slider import AccessibleSlider

    from ..explain import SALIENCY_METHODS, artifact_relevance, saliency_map
    from ..explain._concepts import as_module
    from ..plots._images import _as_images, plot_saliency_overlay
    from ..plots._style import figure as course_figure
    from ._picture import TeachingBox

    as_module(model)  # a clear TypeError for anything that is not a model
    clean = _as_images(images, "images")
    stamped = _as_images(artifact_images, "artifact_images")
    if stamped.shape != clean.shape:
        raise ValueError(f"artifact_images must have the shape of images {clean.shape}, got {stamped.shape}.")
    n = len(clean)
    if labels is not None:
        labels = np.asarray(labels).reshape(-1)
        if len(labels) != n:
            raise ValueError(f"labels has {len(labels)} values but there are {n} images.")
    if masks is not None:
        masks = np.asarray(masks)
        if masks.shape != clean.shape or masks.dtype != bool:
            raise ValueError(f"masks must be a boolean array of the images' shape {clean.shape}.")
    if isinstance(methods, str):
        methods = (methods,)
    methods = tuple(methods)
    if not methods or any(m not in SALIENCY_METHODS for m in methods):
        raise ValueError(f"methods must be a non-empty list of {SALIENCY_METHODS}, got {methods!r}.")

    def name(k):
        k = int(k)
        return class_names[k] if class_names is not None and 0 <= k < len(class_names) else str(k)

    # precompute: probabilities and every saliency map
    proba = {}
    for key, batch in (("off", clean), ("on", stamped)):
        if hasattr(model, "predict_proba"):
            proba[key] = np.asarray(model.predict_proba(batch))
        else:
            import torch

            from ..explain._concepts import as_image_tensor

            module = as_module(model)
            with torch.no_grad():
                proba[key] = torch.softmax(module(as_image_tensor(batch)), 1).numpy()
    heat = {(key, m): saliency_map(model, batch, method=m, target_class=target_class)
            for key, batch in (("off", clean), ("on", stamped)) for m in methods}

    image_knob = AccessibleSlider(options=[(f"{i + 1} of {n}", i) for i in range(n)], value=0, description="image",
                                  width="200px")
    artifact_knob = widgets.ToggleButtons(options=[("without artifact", "off"), ("with artifact", "on")],
                                          value="off", description="")
    method_knob = widgets.Dropdown(options=list(methods), value=methods[0], description="saliency")
    # outside pyplot: shown through the widget only
    fig, (ax_img, ax_heat) = course_figure(1, 2, panel_height=3.0)  # laid out once, at the first picture
    fig.set_size_inches(6.4, 3.4)
    shown: dict = {}
    box = TeachingBox([widgets.HBox([image_knob, method_knob]), artifact_knob],
                      label="Saliency explorer: what the model looks at")

    def redraw(*_):
        i, key, method = image_knob.value, artifact_knob.value, method_knob.value
        image = clean[i] if key == "off" else stamped[i]
        h = heat[(key, method)][i]
        p = proba[key][i]
        predicted = int(np.argmax(p))
        mask = masks[i] if (masks is not None and key == "on") else None
        share = float(artifact_relevance(h[None], mask[None])[0]) if mask is not None else float("nan")
        shown.update(image=image, heatmap=h, predicted=predicted, probability=float(p[predicted]),
                     artifact_share=share, index=i, artifact=key, method=method)
        for ax in (ax_img, ax_heat):
            ax.clear()
        ax_img.imshow(image, cmap="gray", vmin=0, vmax=255 if image.dtype == np.uint8 else None)
        ax_img.set_xticks([])
        ax_img.set_yticks([])
        truth = f"true: {name(labels[i])}\n" if labels is not None else ""
        ax_img.set_title(f"{truth}predicted: {name(predicted)} ({p[predicted]:.0%})", fontsize=10)
        # always three lines: the layout is computed once, at the first picture, and must fit every title
        extra = f"\n{share:.0%} of it on the artifact" if mask is not None else "\n(no artifact in the image)"
        explained = name(target_class) if target_class is not None else "the predicted class"
        plot_saliency_overlay(image, h, ax=ax_heat, mask=mask,
                              title=f"{method.replace('_', ' ')} saliency\nfor {explained}{extra}")
        where = (f"; {share:.0%} of the saliency on the artifact" if mask is not None else "")
        truth_text = f"true class {name(labels[i])}, " if labels is not None else ""
        box.show(fig, readout=f"Image {i + 1} of {n}, {'with' if key == 'on' else 'without'} the artifact: {truth_text}"
                              f"predicted <b>{name(predicted)}</b> ({p[predicted]:.0%}); {method.replace('_', ' ')} "
                              f"saliency{where}.",
                 alt=f"Left: test image {i + 1} of {n} {'with' if key == 'on' else 'without'} the artifact, {truth_text}"
                     f"predicted {name(predicted)} with probability {p[predicted]:.0%}. Right: its "
                     f"{method.replace('_', ' ')} saliency map for {explained}{where}.")

    for knob in (image_knob, artifact_knob, method_knob):
        knob.observe(redraw, names="value")

    box.image, box.artifact, box.method, box.shown, box.figure = image_knob, artifact_knob, method_knob, shown, fig

    def update(*, image=None, artifact=None, method=None):
        """Set any of the knobs from code (as a learner would by hand) and redraw."""
        if image is not None:
            if isinstance(image, bool) or not isinstance(image, (int, np.integer)) or not 0 <= image < n:
                raise ValueError(f"image must be an index from 0 to {n - 1}, got {image!r}.")
            image_knob.value = int(image)
        if artifact is not None:
            if not isinstance(artifact, bool):
                raise TypeError(f"artifact must be True or False, got {type(artifact).__name__}.")
            artifact_knob.value = "on" if artifact else "off"
        if method is not None:
            if method not in methods:
                raise ValueError(f"method must be one of {methods}, got {method!r}.")
            method_knob.value = method
        return dict(shown)

    box.update = update
    redraw()
    return box
