"""CLI: ``python -m sekswerk_assets.sandbox serve|ground-truth|summary``."""

from __future__ import annotations

import argparse
import json
import logging
import sys

from .config import load_config


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", default=None, help="config YAML (default: packaged config.yaml)")
    p.add_argument("--scale", type=float, default=None, help="population scale (1.0 = report size)")
    p.add_argument("--seed", type=int, default=None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sekswerk_assets.sandbox", description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    ps = sub.add_parser("serve", help="serve the three simulated sites over HTTP")
    _common(ps)
    ps.add_argument("--host", default="127.0.0.1")
    for site in ("kinky", "sexjobs", "topescortbabes"):
        ps.add_argument(f"--{site}-port", type=int, default=0, help="0 = pick a free port")
    ps.add_argument("--port-file", default=None, help="write the base URLs as JSON here")
    ps.add_argument("--fault-http-5xx", type=float, default=None)
    ps.add_argument("--fault-timeout", type=float, default=None)
    ps.add_argument("--fault-timeout-seconds", type=float, default=None)
    ps.add_argument("--fault-slow", type=float, default=None)
    ps.add_argument("--fault-slow-seconds", type=float, default=None)
    ps.add_argument("--fault-truncated", type=float, default=None)
    ps.add_argument("--layout-change", action="store_true", default=None)
    pg = sub.add_parser("ground-truth", help="write the ground-truth Parquet files")
    _common(pg)
    pg.add_argument("--out", default="data/sandbox")
    pm = sub.add_parser("summary", help="print calibration numbers as JSON")
    _common(pm)
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")

    overrides = {"scale": args.scale, "seed": args.seed}
    if args.cmd == "serve":
        faults = {
            k: v
            for k, v in {
                "http_5xx": args.fault_http_5xx, "timeout": args.fault_timeout,
                "timeout_seconds": args.fault_timeout_seconds, "slow": args.fault_slow,
                "slow_seconds": args.fault_slow_seconds, "truncated": args.fault_truncated,
            }.items()
            if v is not None
        }
        if faults:
            overrides["faults"] = faults
        if args.layout_change:
            overrides["layout_change"] = True
    cfg = load_config(args.config, **overrides)

    if args.cmd == "serve":
        from .server import serve

        ports = {"kinky": args.kinky_port, "sexjobs": args.sexjobs_port, "topescortbabes": args.topescortbabes_port}
        serve(cfg, host=args.host, ports=ports, port_file=args.port_file)
        return 0
    from .population import simulate

    pop = simulate(cfg)
    if args.cmd == "ground-truth":
        from .ground_truth import write_ground_truth

        paths = write_ground_truth(pop, args.out)
        print(json.dumps({k: str(v) for k, v in paths.items()}))
    else:
        print(json.dumps(pop.summary(), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
