"""The code location: every stage's definitions from ``defs/``, plus the pieces that span stages.

``dg.load_from_defs_folder`` imports each module under ``sekswerk_assets/defs/`` (one folder per stage
of the flow) and collects its assets, checks, sensors and jobs; nothing is listed by hand. Merged in
here: the resources (from the environment), the cross-stage jobs, the automation sensor, the
yearly trigger, the alert sensors and the source-code links.

Loading is mostly imports and definition objects that live as long as the process. Python's cyclic
garbage collector would scan that growing heap again and again while it is built (about a fifth of the
load's CPU time) and then in every full collection of the run that follows; so it is paused while the
definitions are built, and what was built is then frozen out of later collections (:func:`gc.freeze`).
"""

import contextlib
import functools
import gc
from pathlib import Path

import dagster as dg


@contextlib.contextmanager
def _long_lived_heap():
    """No cyclic garbage collection while the block builds long-lived objects; afterwards they are frozen."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.freeze()  # the loaded code location is never garbage: later full collections skip it


@dg.definitions
def defs() -> dg.Definitions:
    with _long_lived_heap():
        # imported here, inside the pause: these imports are most of the load
        from sekswerk_assets.environment import build_resources
        from sekswerk_assets.jobs import JOBS
        from sekswerk_assets.lib.alerts import build_alert_sensors
        from sekswerk_assets.lib.automation import automation_default_status
        from sekswerk_assets.lib.catalog import register_checks
        from sekswerk_assets.lib.checks import factory_checks
        from sekswerk_assets.lib.code_references import with_code_references
        from sekswerk_assets.lib.yearly import yearly_after_last_week_sensor
        from sekswerk_assets.ops import dead_run_sensor

        stages = dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
        status = automation_default_status()
        automation = dg.AutomationConditionSensorDefinition(
            "default_automation_condition_sensor",
            target=dg.AssetSelection.all(),
            default_status=status,
            description="Evaluates the assets' automation conditions: Tuesday collection, then the week's processing.",
        )
        extra = dg.Definitions(
            asset_checks=factory_checks(stages.assets or []),
            jobs=JOBS,
            sensors=[automation, yearly_after_last_week_sensor(status), *build_alert_sensors(status), dead_run_sensor],
            resources=build_resources(),
        )
        merged = with_code_references(dg.Definitions.merge(stages, extra))
        register_checks(merged.resolve_asset_graph().asset_check_keys)  # for the report's data-quality section
        return merged


@functools.cache
def load_definitions() -> dg.Definitions:
    """The loaded code location (for tests, the demo and the bench); the same object the webserver builds."""
    return defs()
