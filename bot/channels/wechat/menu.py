"""The official account's custom menu: six CLICK buttons whose keys are command words.

WeChat allows at most 3 top-level buttons (4 Chinese characters each) with up to 5
sub-buttons, so the six keys sit as 登记 | 找工作 ▸ (找工作, 招聘会) | 更多 ▸ (问政策, 我的信息,
更多服务); 更多服务 lists 银龄, 我是大学生, 困难帮扶, 查维权进度 and the rest.
A CLICK arrives as `Kind.MENU` with the key as text, handled like the typed word.
"""

from __future__ import annotations

from typing import Any

MENU_KEYS = ("登记", "找工作", "招聘会", "问政策", "我的信息", "更多服务")


def _click(name: str, key: str | None = None) -> dict[str, str]:
    return {"type": "click", "name": name, "key": key or name}


MENU: dict[str, Any] = {
    "button": [
        _click("登记"),
        {"name": "找工作", "sub_button": [_click("找工作"), _click("招聘会")]},
        {"name": "更多", "sub_button": [_click("问政策"), _click("我的信息"), _click("更多服务")]},
    ]
}


def click_keys(menu: dict[str, Any] = MENU) -> list[str]:
    """Every CLICK key of a menu, in order."""
    keys: list[str] = []
    for button in menu["button"]:
        for item in button.get("sub_button") or [button]:
            if item.get("type") == "click":
                keys.append(item["key"])
    return keys
