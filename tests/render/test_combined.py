"""The comment on several projects (`plan --projects PATH --format markdown`): one marker line for them all, a
summary table, one section per project under the size cap of a single comment."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from assistplan.plan.model import Plan
from assistplan.render import plan_view
from assistplan.render.combined import MARKER, Section, headline, render_combined_markdown

from .plans import big_plan, creates_only_plan, no_changes_plan


def section(name: str, folder: str, plan: Plan) -> Section:
    """The section of project `name`, whose plan is `plan`."""
    return Section(name, folder, view(plan, name))


def view(plan: Plan, name: str) -> dict[str, Any]:
    return plan_view(replace(plan, project=name))


def test_the_comment_starts_with_the_marker_of_several_projects() -> None:
    sections = [section("shop", "teams/shop", no_changes_plan())]

    assert render_combined_markdown(sections).split("\n", 1)[0] == MARKER


def test_each_project_has_a_row_and_a_section_under_the_heading_of_all() -> None:
    sections = [
        section("shop", "teams/shop", creates_only_plan()),
        section("billing@prod", "teams/billing", no_changes_plan()),
    ]

    text = render_combined_markdown(sections)

    assert "### assistplan plan — 2 projects: 1 with changes, 1 without" in text
    assert "| `shop` | `teams/shop` | 2 to add, 0 to change, 0 to destroy |" in text
    assert "| `billing@prod` | `teams/billing` | No changes |" in text
    assert text.count("#### assistplan plan — ") == 2
    assert "<!-- assistplan-plan:" not in text


def test_a_section_s_own_headings_go_one_level_down() -> None:
    text = render_combined_markdown([section("shop", "shop", creates_only_plan())])

    assert "##### Changes" in text
    assert "\n#### Changes" not in text


def test_a_project_that_failed_shows_its_errors_scrubbed_of_keys() -> None:
    sections = [Section("shop", "shop", errors="Error: refused key sk-proj-abcdefghijklmnopqrstuvwxyz0123456789\n")]

    text = render_combined_markdown(sections)

    assert "#### assistplan plan — shop: Failed" in text
    assert "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789" not in text
    assert headline(sections) == "1 project: 1 failed"


def test_big_plans_share_the_room_and_a_small_one_keeps_all_of_it() -> None:
    small = render_combined_markdown([section("tiny", "tiny", no_changes_plan())])
    sections = [
        section("big-one", "a", big_plan(300)),
        section("tiny", "tiny", no_changes_plan()),
        section("big-two", "b", big_plan(300)),
    ]

    text = render_combined_markdown(sections, max_chars=30_000)

    assert len(text) <= 30_000
    assert small.split("#### assistplan plan — tiny", 1)[1].split("---\n<sub>")[0] in text
    assert text.count("not shown** to keep the comment on all projects under 30,000 characters") == 2


def test_a_cut_section_names_the_command_that_prints_its_full_plan_not_an_artifact() -> None:
    sections = [section("big-one", "teams/a", big_plan(300)), section("big-two@prod", "teams/b", big_plan(300))]

    text = render_combined_markdown(sections, max_chars=30_000)

    assert "This project's full plan: `assistplan --chdir teams/a plan --format json`." in text
    assert "This project's full plan: `assistplan --chdir teams/b --env prod plan --format json`." in text
    assert "JSON artifact" not in text


def test_a_section_too_small_for_its_summary_keeps_its_whole_heading_and_status() -> None:
    sections = [section(f"project-{index:03d}", f"teams/{index:03d}", big_plan(20)) for index in range(60)]

    text = render_combined_markdown(sections, max_chars=20_000)

    assert len(text) <= 20_000
    assert "#### assistplan plan — project-000: 0 to add, 20 to change, 0 to destroy\n" in text
    assert "**This project's plan is not shown** to keep the comment on all projects under 20,000 characters." in text


def test_with_too_many_projects_the_rows_and_sections_left_out_are_counted_not_cut() -> None:
    sections = [section(f"project-{index:03d}", f"teams/{index:03d}", no_changes_plan()) for index in range(400)]

    text = render_combined_markdown(sections, max_chars=20_000)

    assert len(text) <= 20_000
    assert "| … | … | " in text and " more projects not listed |" in text
    assert " more projects not shown**: this comment has no room left for them." in text
    assert text.endswith("---\n<sub>assistplan</sub>\n")
    sections_shown = text.split("#### assistplan plan — ")[1:]
    assert all(part.split("\n", 1)[0].endswith(": No changes") for part in sections_shown)
