"""Automation settings shared by every stage: whether sensors start by themselves, and the weekly/yearly conditions."""

from __future__ import annotations

import dagster as dg

from sekswerk_assets import settings


def automation_on() -> bool:
    """``SEKSWERK_AUTOMATION=on`` starts the automation, freshness and alert sensors by default (``make demo`` sets it)."""
    return (settings.get("SEKSWERK_AUTOMATION") or "off").lower() in ("on", "1", "true", "yes")


def automation_default_status() -> dg.DefaultSensorStatus:
    """Default status of the project's sensors; either way they can be started or stopped in the UI."""
    return dg.DefaultSensorStatus.RUNNING if automation_on() else dg.DefaultSensorStatus.STOPPED


#: the week's processing follows its collection: each weekly asset runs once all its upstreams of that week exist
#: and one of them was updated (only the latest week; older weeks are backfills). The yearly municipality
#: reference is an upstream for lineage only and never holds a week back.
WEEKLY_EAGER = dg.AutomationCondition.eager().ignore(dg.AssetSelection.assets(["reference", "municipalities"]))


def reference_dep() -> dg.AssetDep:
    """The municipality reference as upstream of a weekly asset (any year: the asset picks its own list year)."""
    return dg.AssetDep(dg.AssetKey(["reference", "municipalities"]), partition_mapping=dg.AllPartitionMapping())


#: a yearly table follows its yearly upstreams (same year) once all of them exist; the roots of the yearly
#: ad chain are requested by the ``yearly_after_last_week`` sensor, the survey roots by a new export
YEARLY_EAGER = dg.AutomationCondition.eager()


def report_condition(ignore: dg.AssetSelection) -> dg.AutomationCondition:
    """The report is redone when one of its yearly inputs is updated (weekly inputs and the reference ignored)."""
    return (
        dg.AutomationCondition.any_deps_updated().ignore(ignore).since_last_handled()
        & ~dg.AutomationCondition.any_deps_in_progress()
        & ~dg.AutomationCondition.in_progress()
    ).with_label("any yearly input updated")


DATA_VERSION_TAG = "dagster/data_version"


def report_new_data_versions(context: dg.SensorEvaluationContext, new_events, skip_reason: str):
    """The body of a sensor that reports files as an external asset's materialisations, once per new version.

    ``new_events(known)`` returns materialisations (one per partition, the file hash as data version tag) for
    what differs from ``known`` (partition -> version, kept in the sensor's cursor).
    """
    import json

    known = json.loads(context.cursor) if context.cursor else {}
    events = new_events(known)
    for event in events:
        known[event.partition] = event.tags[DATA_VERSION_TAG]
    context.update_cursor(json.dumps(known))
    return dg.SensorResult(asset_events=events) if events else dg.SkipReason(skip_reason)
