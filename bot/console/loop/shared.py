"""Small readers and shapes the closed-loop console modules share: dates, yes/no boxes,
numbers staff type, times shown in the county's zone, a worker shown with details masked."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, overload

from bot.console.context import BadRequest, Console, mask_phone, parse_day
from bot.console.roles import Staff
from storage.models import Worker

PAGE_SIZE = 50


@overload
def day(value: Any, *, label: str, required: Literal[True] = True) -> date: ...
@overload
def day(value: Any, *, label: str, required: bool) -> date | None: ...


def day(value: Any, *, label: str, required: bool = True) -> date | None:
    if value in (None, "") and not required:
        return None
    return parse_day(value, label=label)


def flag(value: Any) -> bool:
    """A checkbox (a list of ticked values), a JSON boolean, or a word staff typed."""
    if isinstance(value, list):
        return bool(value)
    return str(value).strip().lower() in ("1", "true", "yes", "on", "是", "有")


def number(value: Any, *, label: str, low: int, high: int, default: int | None = None) -> int:
    if value in (None, "") and default is not None:
        return default
    try:
        found = int(str(value).strip())
    except ValueError as error:
        raise BadRequest(f"{label}应是数字") from error
    if not low <= found <= high:
        raise BadRequest(f"{label}应在 {low} 到 {high} 之间")
    return found


def when(value: datetime | None, console: Console) -> str | None:
    return value.astimezone(console.services.tz).strftime("%Y-%m-%d %H:%M") if value else None


def person(worker: Worker, console: Console) -> dict[str, Any]:
    """A worker as staff lists show them: no full phone number."""
    year = console.services.local_now().year
    return {"id": worker.id, "town": worker.town, "village": worker.village,
            "age": year - worker.birth_year if worker.birth_year else worker.age, "phone": mask_phone(worker.phone)}


def town_of(console: Console, value: Any, staff: Staff) -> str | None:
    """A town staff typed ("华埠" → 华埠镇); empty means the whole county, or the town of a
    town's staff, who may name no other."""
    text = str(value or "").strip()
    town = console.services.places.resolve(text).town if text else None
    if text and town is None:
        raise BadRequest(f"乡镇“{text}”不认识")
    if staff.place is not None:
        staff.check(town or staff.place)
        return staff.place
    return town


def visible(staff: Staff, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The people (rows with a "town" and a "village") within the account's place."""
    return [r for r in rows if staff.sees(r.get("town"), r.get("village"))]


def readable(staff: Staff, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The notice-like rows (each with a "town") the account may read: its town's and the county's."""
    return [r for r in rows if staff.reads(r.get("town"))]
