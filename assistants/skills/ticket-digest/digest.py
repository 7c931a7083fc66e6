"""Print a Markdown digest of a day's support tickets: volume by category, busiest orders, open tickets."""

import argparse
import json
from pathlib import Path

import pandas as pd

OPEN = ("open", "pending")


def digest(tickets: pd.DataFrame, orders: pd.DataFrame) -> str:
    by_category = tickets.groupby("category").size().sort_values(ascending=False).rename("tickets")
    busiest = (
        tickets.groupby("order_id")
        .size()
        .rename("tickets")
        .nlargest(5)
        .reset_index()
        .merge(orders[["order_id", "status", "carrier"]], on="order_id", how="left")
    )
    open_tickets = tickets[tickets["status"].isin(OPEN)].sort_values("priority")
    return "\n\n".join(
        [
            f"# Ticket digest: {len(tickets)} tickets, {len(open_tickets)} still open",
            "## By category\n\n" + by_category.to_markdown(),
            "## Busiest orders\n\n" + busiest.to_markdown(index=False),
            "## Needs a human today\n\n"
            + open_tickets[["id", "priority", "category", "order_id"]].to_markdown(index=False),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("tickets", type=Path, help="JSON list of tickets")
    parser.add_argument("--orders", type=Path, required=True, help="CSV export of orders")
    args = parser.parse_args()
    tickets = pd.DataFrame(json.loads(args.tickets.read_text(encoding="utf-8")))
    print(digest(tickets, pd.read_csv(args.orders)))


if __name__ == "__main__":
    main()
