"""What the benchmark tickets say: the demo issues plus word lists, in English and Chinese.

A million tickets share a few thousand distinct texts ("variants"), as real desks do (the same
printer breaks every week). That keeps the fill fast: each text is segmented by jieba and turned
into a tsvector once, not once per ticket.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from html import escape

from tickets.demo_content import DETAILS, ISSUES, PHRASES
from tickets.models import ResolutionCode, TicketType

EN, ZH = "en", "zh"
VARIANTS_PER_ISSUE = 160
VARIANTS_PER_WORDLIST = 1_500
# Share of tickets written from the word lists rather than from the demo issues.
WORDLIST_SHARE = 0.3

# (English thing, Chinese thing, category): what breaks.
THINGS = [
    ("laptop", "笔记本电脑", ("Hardware", "Laptops & desktops")),
    ("desktop PC", "台式机", ("Hardware", "Laptops & desktops")),
    ("docking station", "扩展坞", ("Hardware", "Laptops & desktops")),
    ("second monitor", "外接显示器", ("Hardware", "Laptops & desktops")),
    ("printer", "打印机", ("Hardware", "Printers & scanners")),
    ("scanner", "扫描仪", ("Hardware", "Printers & scanners")),
    ("mobile phone", "手机", ("Hardware", "Phones & tablets")),
    ("tablet", "平板电脑", ("Hardware", "Phones & tablets")),
    ("Outlook", "Outlook 邮箱", ("Software", "Office applications")),
    ("Excel", "Excel 表格", ("Software", "Office applications")),
    ("Teams", "Teams 会议", ("Software", "Office applications")),
    ("SAP", "SAP 系统", ("Software", "Business applications")),
    ("expense tool", "报销系统", ("Software", "Business applications")),
    ("CRM", "客户管理系统", ("Software", "Business applications")),
    ("Wi-Fi", "无线网络", ("Network", "Wi-Fi")),
    ("VPN", "VPN", ("Network", "VPN")),
    ("network cable", "网线", ("Network", "Wired network")),
    ("password", "密码", ("Account & access", "Password reset")),
    ("account", "账号", ("Account & access", "New account")),
    ("shared folder", "共享文件夹", ("Account & access", "Permissions")),
    ("mailbox", "邮箱", ("Configuration", "E-mail setup")),
    ("badge reader", "门禁卡", ("Other", None)),
    ("meeting room projector", "会议室投影仪", ("Other", None)),
]
# (English problem, Chinese problem).
PROBLEMS = [
    ("does not start", "无法启动"),
    ("is very slow", "运行很慢"),
    ("cannot connect", "无法连接"),
    ("keeps disconnecting", "经常断开"),
    ("shows error 0x80070005", "提示错误 0x80070005"),
    ("keeps crashing", "频繁崩溃"),
    ("stopped syncing", "不能同步"),
    ("asks for my password again and again", "反复要求输入密码"),
    ("is broken", "出现故障"),
    ("cannot be found", "找不到"),
    ("is locked", "被锁定"),
    ("needs an upgrade", "需要升级"),
]
EN_CONTEXT = [
    "It started {since}.",
    "I am on floor {floor}, desk {floor}.{desk}.",
    "Two colleagues have the same problem.",
    "I already restarted it twice.",
    "This blocks my work on the quarterly report.",
    "I am working from home today.",
    "The error appears every time I open {app}.",
    "Could someone call me back?",
]
ZH_CONTEXT = [
    "从{since}开始出现。",
    "我在{floor}楼，工位 {floor}.{desk}。",
    "有两位同事也遇到同样的问题。",
    "已经重启了两次，还是不行。",
    "影响了我做季度报告。",
    "我今天在家办公。",
    "每次打开 {app} 都会出现这个错误。",
    "麻烦尽快回电话给我。",
]
EN_FIXES = [
    "Reinstalled the driver and tested with the requester.",
    "Reset the configuration remotely; works again.",
    "Replaced the device from stock.",
    "Explained the workaround; the requester confirmed it works.",
]
ZH_FIXES = [
    "重新安装驱动并与用户一起测试。",
    "远程重置配置，已恢复正常。",
    "已从库存更换设备。",
    "已说明临时解决办法，用户确认可用。",
]


@dataclass(frozen=True)
class Variant:
    language: str
    subject: str
    description: str
    description_html: str
    resolution_summary: str
    category: tuple[str, str | None]
    type: str
    resolution_code: str


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def _details(rng: random.Random, language: str) -> _Blank:
    chosen = {key: rng.choice(values) for key, values in DETAILS[language].items()}
    return _Blank(chosen, floor=str(rng.randint(2, 30)), desk=f"{rng.randint(1, 60):02d}")


def _variant(language, subject, description, fix, category, type_, code) -> Variant:
    html = "".join(f"<p>{escape(part)}</p>" for part in description.split("\n\n"))
    top, child = category
    return Variant(language, subject[:200], description, html, fix, (top, child or None), type_, code)


def _from_issues(rng: random.Random) -> dict[str, list[tuple[float, list[Variant]]]]:
    pools: dict[str, list[tuple[float, list[Variant]]]] = {EN: [], ZH: []}
    for issue in ISSUES:
        for language, text in ((EN, issue.en), (ZH, issue.zh)):
            seen: dict[tuple[str, str], Variant] = {}
            for _ in range(VARIANTS_PER_ISSUE * 3):
                details = _details(rng, language)
                subject = rng.choice(text.subjects).format_map(details)
                description = text.body.format_map(details)
                if rng.random() < 0.5:
                    description += "\n\n" + rng.choice(PHRASES[language]["answer"])
                key = (subject, description)
                if key not in seen:
                    seen[key] = _variant(
                        language, subject, description, text.fix.format_map(details), issue.category, issue.type,
                        issue.code,
                    )  # fmt: skip
                if len(seen) >= VARIANTS_PER_ISSUE:
                    break
            pools[language].append((issue.weight, list(seen.values())))
    return pools


def _from_word_lists(rng: random.Random, language: str) -> list[Variant]:
    seen: dict[tuple[str, str], Variant] = {}
    context = EN_CONTEXT if language == EN else ZH_CONTEXT
    fixes = EN_FIXES if language == EN else ZH_FIXES
    for _ in range(VARIANTS_PER_WORDLIST * 3):
        en_thing, zh_thing, category = rng.choice(THINGS)
        en_problem, zh_problem = rng.choice(PROBLEMS)
        details = _details(rng, language)
        extra = " ".join(part.format_map(details) for part in rng.sample(context, rng.randint(1, 3)))
        if language == EN:
            subject = f"{en_thing[0].upper()}{en_thing[1:]} {en_problem}"
            description = f"My {en_thing} {en_problem}. {extra}"
        else:
            subject = f"{zh_thing}{zh_problem}"
            description = f"我的{zh_thing}{zh_problem}。{extra}"
        type_ = TicketType.SERVICE_REQUEST if "upgrade" in en_problem else TicketType.INCIDENT
        seen.setdefault(
            (subject, description),
            _variant(language, subject, description, rng.choice(fixes), category, type_, ResolutionCode.FIXED),
        )
        if len(seen) >= VARIANTS_PER_WORDLIST:
            break
    return list(seen.values())


class Texts:
    """Every variant, and a fast way to pick one for a ticket in a given language."""

    def __init__(self, seed: int):
        rng = random.Random(seed)
        issue_pools = _from_issues(rng)
        self.variants: list[Variant] = []
        self._choices: dict[str, tuple[list[list[int]], list[float]]] = {}
        for language in (EN, ZH):
            groups, weights = [], []
            for weight, variants in issue_pools[language]:
                groups.append(self._register(variants))
                weights.append(weight)
            # The word lists get WORDLIST_SHARE of all tickets, as one more weighted group.
            groups.append(self._register(_from_word_lists(rng, language)))
            weights.append(sum(weights) * WORDLIST_SHARE / (1 - WORDLIST_SHARE))
            cumulative, total = [], 0.0
            for weight in weights:
                total += weight
                cumulative.append(total)
            self._choices[language] = (groups, cumulative)

    def _register(self, variants: list[Variant]) -> list[int]:
        start = len(self.variants)
        self.variants.extend(variants)
        return list(range(start, len(self.variants)))

    def pick(self, rng: random.Random, language: str) -> int:
        groups, cumulative = self._choices[language]
        group = rng.choices(groups, cum_weights=cumulative)[0]
        return group[int(rng.random() * len(group))]

    @property
    def categories(self) -> dict[str, list[str]]:
        tree: dict[str, list[str]] = {}
        for variant in self.variants:
            top, child = variant.category
            children = tree.setdefault(top, [])
            if child and child not in children:
                children.append(child)
        return tree
