"""`hoist verify`: check that Intercom holds what state says was delivered, and repair drift."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from pathlib import Path

import httpx

from hoist.config import ActivationConfig, load_activation
from hoist.errors import ConfigError
from hoist.intercom import IntercomClient, WorkspaceIdentity
from hoist.pipeline.binding import check_workspace, recorded_workspace
from hoist.state import StateBackend, opened_state
from hoist.verify.check import Findings, by_lookup, by_scroll, missing_ids
from hoist.verify.delivered import Delivered
from hoist.verify.repair import plan_repair, repair
from hoist.verify.verify_report import VerifyReport

__all__ = ["verify"]

_CONCURRENCY = 16


def verify(
    activation: ActivationConfig | str | Path,
    *,
    sample: int | None = None,
    repair: bool = False,
    transport: httpx.AsyncBaseTransport | None = None,
    concurrency: int = _CONCURRENCY,
) -> VerifyReport:
    """Read companies back from Intercom (all, or `sample` random ones) and compare with state.

    With `repair`, send exactly the drifted attributes and re-create missing companies (insert
    mode on), recording in state only what Intercom confirms.
    """
    config = activation if isinstance(activation, ActivationConfig) else load_activation(activation)
    if sample is not None and sample < 1:
        raise ConfigError("--sample must be a positive number of companies", key="--sample")
    job = _Verify(config, transport, sample=sample, repair=repair, concurrency=concurrency)
    return asyncio.run(job.go())


class _Verify:
    """One verification: workspace check, read-back, comparison, and the repair if asked."""

    def __init__(
        self,
        config: ActivationConfig,
        transport: httpx.AsyncBaseTransport | None,
        *,
        sample: int | None,
        repair: bool,
        concurrency: int,
    ) -> None:
        self.config = config
        self.transport = transport
        self.sample = sample
        self.repair = repair
        self.concurrency = concurrency
        self.started = time.monotonic()
        self.attributes = [attribute for attribute, _ in config.sync.fields()]

    async def go(self) -> VerifyReport:
        """Check the workspace first, then read back, compare and (if asked) repair."""
        destination = self.config.destination
        async with IntercomClient(
            base_url=destination.url,
            token=destination.access_token,
            api_version=destination.api_version,
            transport=self.transport,
        ) as client:
            identity = await client.workspace()
            with opened_state(self.config, read_only=not self.repair) as store:
                check_workspace(recorded_workspace(store), identity, state_path=store.where)
                delivered = Delivered(
                    store.scratch,
                    store.delivered_relation(self.attributes),
                    self.attributes,
                    keep_nulls=self.config.sync.nulls == "keep",
                )
                if self.sample is None:
                    findings = await by_scroll(client, delivered)
                else:
                    findings = await by_lookup(client, delivered, self.sample)
                report = self._report(findings, client.api_calls)
                if not self.repair or report.clean:
                    return report
                return await self._repair(client, store, findings, identity, report)

    async def _repair(
        self,
        client: IntercomClient,
        store: StateBackend,
        findings: Findings,
        identity: WorkspaceIdentity,
        report: VerifyReport,
    ) -> VerifyReport:
        insert = self.config.sync.insert
        plan = plan_repair(findings, insert=insert)
        # A state from before the binding is bound with the first write Intercom confirms.
        outcome = await repair(
            client,
            store,
            identity,
            plan,
            insert=insert,
            attributes=self.attributes,
            concurrency=self.concurrency,
        )
        # A missing company was deleted, detaching its contacts (NOTES §1.5): attach them again.
        store.forget_pairs_of(report.missing)
        return dataclasses.replace(
            report,
            repair=True,
            writes=outcome.writes,
            repaired=tuple(outcome.repaired),
            not_repaired=tuple(outcome.not_repaired),
            api_calls=client.api_calls,
            duration_s=time.monotonic() - self.started,
        )

    def _report(self, findings: Findings, api_calls: int) -> VerifyReport:
        return VerifyReport(
            activation=self.config.name,
            method="scroll" if self.sample is None else "sample",
            checked=findings.checked,
            verified=findings.verified,
            drifted=tuple(findings.drifted),
            missing=missing_ids(findings.missing),
            api_calls=api_calls,
            duration_s=time.monotonic() - self.started,
        )
