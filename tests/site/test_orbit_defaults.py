"""`dojosim orbit --year` has a fixed, documented default; the year plot reads in months."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from dojosim.cli import app
from dojosim.site.query import DEFAULT_YEAR, orbit_year_for

runner = CliRunner()
ORBIT = ["orbit", "--altitude-km", "650", "--sun-synchronous", "--ltan", "18:00", "--json"]


def test_the_default_year_is_fixed_not_today() -> None:
    assert DEFAULT_YEAR == 2026
    default = json.loads(runner.invoke(app, ORBIT).stdout)
    explicit = json.loads(runner.invoke(app, [*ORBIT, "--year", str(DEFAULT_YEAR)]).stdout)
    assert default["year"] == DEFAULT_YEAR and default == explicit


def test_help_documents_the_default() -> None:
    text = " ".join(runner.invoke(app, ["orbit", "--help"], terminal_width=200).stdout.split())
    assert "not today's" in text and str(DEFAULT_YEAR) in text


def test_the_year_plot_has_months_on_its_axis() -> None:
    import matplotlib.pyplot as plt

    from dojosim.site.plot import year_figure

    fig = year_figure(orbit_year_for(650.0, sun_synchronous=True, ltan="18:00"))
    try:
        fig.canvas.draw()
        labels = [t.get_text() for t in fig.axes[2].get_xticklabels()]
        assert {"Jan", "Apr", "Jul", "Oct"} <= set(labels), labels
        assert fig.axes[2].get_xlabel() == f"month of {DEFAULT_YEAR}"
    finally:
        plt.close(fig)


def test_the_web_orbit_figure_is_in_months_too() -> None:
    from dojosim.report.site_figures import orbit_year

    fig = orbit_year(orbit_year_for(650.0, sun_synchronous=True, ltan="18:00"))
    assert fig["layout"]["xaxis"]["type"] == "date" and fig["layout"]["xaxis"]["tickformat"] == "%b"
