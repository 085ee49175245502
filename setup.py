"""What pyproject.toml cannot say: find the packages, and install the top-level resources/
folder (icons, desktop entry, metainfo) as the data-only package ``bx24presence.resources``."""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["bx24presence", "bx24presence.*"]),
        "bx24presence.resources",
    ],
    package_dir={"bx24presence.resources": "resources"},
)
