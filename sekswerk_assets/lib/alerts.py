"""Alerts: one JSON message per failed run and per failed ERROR check, posted to ``SEKSWERK_ALERT_WEBHOOK``.

Messages carry asset, partition, check and a short fixed text, never an error message or metadata
value: those may hold URLs, ad codes or fragments of ad text.
"""

from __future__ import annotations

import json
import urllib.request

import dagster as dg
from pydantic import Field

from sekswerk_assets import settings


class AlertWebhookResource(dg.ConfigurableResource):
    """Where alerts go; no URL means alerting is off and the sensors do nothing."""

    url: str | None = Field(default=None, description="webhook URL (SEKSWERK_ALERT_WEBHOOK); unset: no alerts")
    timeout_s: float = 10.0

    @classmethod
    def from_env(cls) -> "AlertWebhookResource":
        return cls(url=settings.config_value("SEKSWERK_ALERT_WEBHOOK"))

    @property
    def enabled(self) -> bool:
        return bool(self.url)

    def post(self, message: dict) -> None:
        """POST one message as JSON; raises on a non-2xx answer so the sensor tick shows the failure."""
        req = urllib.request.Request(
            self.url, data=json.dumps(message).encode(), headers={"Content-Type": "application/json"}, method="POST"
        )
        with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:  # noqa: S310 - configured URL
            if resp.status >= 300:
                raise RuntimeError(f"alert webhook answered HTTP {resp.status}")


def run_failure_message(run: dg.DagsterRun, step_keys: list[str]) -> dict:
    """The alert for a failed run: job, partition, failed steps (asset names), no error text."""
    return {
        "kind": "run_failure",
        "job": run.job_name,
        "run_id": run.run_id,
        "partition": run.tags.get("dagster/partition"),
        "steps": sorted(step_keys),
        "message": f"run of {run.job_name} failed in {len(step_keys)} step(s)",
    }


def check_failure_message(run: dg.DagsterRun | None, evaluation) -> dict:
    """The alert for a failed ERROR-severity check evaluation."""
    return {
        "kind": "check_failure",
        "asset": evaluation.asset_key.to_user_string(),
        "check": evaluation.check_name,
        "partition": getattr(evaluation, "partition", None) or (run.tags.get("dagster/partition") if run else None),
        "run_id": run.run_id if run else None,
        "severity": "ERROR",
        "message": f"check {evaluation.check_name} failed",
    }


def alerts_for_run(instance: dg.DagsterInstance, run: dg.DagsterRun) -> list[dict]:
    """Every alert a finished run gives: its failure (if it failed) and each failed ERROR check in it."""
    out = []
    failed_steps, evaluations = [], []
    for record in instance.all_logs(run.run_id):
        event = record.dagster_event
        if event is None:
            continue
        if event.event_type == dg.DagsterEventType.STEP_FAILURE:
            failed_steps.append(event.step_key or "?")
        elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluations.append(event.event_specific_data)
    if run.status == dg.DagsterRunStatus.FAILURE:
        out.append(run_failure_message(run, failed_steps))
    for ev in evaluations:
        if not ev.passed and ev.severity == dg.AssetCheckSeverity.ERROR:
            out.append(check_failure_message(run, ev))
    return out


def _post_alerts(context: dg.RunStatusSensorContext, alerts: AlertWebhookResource) -> None:
    if not alerts.enabled:
        return
    for message in alerts_for_run(context.instance, context.dagster_run):
        alerts.post(message)
        context.log.info(f"alert posted: {message['kind']} {message.get('check') or message.get('job')}")


def build_alert_sensors(default_status: dg.DefaultSensorStatus) -> list[dg.SensorDefinition]:
    """A sensor for failed runs and one for finished runs whose ERROR checks failed (e.g. freshness)."""

    @dg.run_failure_sensor(name="alert_on_run_failure", default_status=default_status, monitor_all_code_locations=False,
                           description="Posts failed runs and their failed ERROR checks to SEKSWERK_ALERT_WEBHOOK.")
    def alert_on_run_failure(context: dg.RunFailureSensorContext, alerts: AlertWebhookResource):
        _post_alerts(context, alerts)

    @dg.run_status_sensor(name="alert_on_failed_checks", run_status=dg.DagsterRunStatus.SUCCESS,
                          default_status=default_status,
                          description="Posts failed ERROR checks of successful runs to SEKSWERK_ALERT_WEBHOOK.")
    def alert_on_failed_checks(context: dg.RunStatusSensorContext, alerts: AlertWebhookResource):
        _post_alerts(context, alerts)

    return [alert_on_run_failure, alert_on_failed_checks]
