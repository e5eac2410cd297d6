"""The shipped data lives in the top-level ``datasets/`` folder and is installed as the package
``biaslab._data``, so the loaders find it the same way from a checkout, an editable install or a
wheel. Everything else is in pyproject.toml."""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["biaslab", "biaslab.*"]) + ["biaslab._data"],
    package_dir={"biaslab._data": "datasets"},
)
