"""The figure or date a how-much / when question asks for, taken verbatim from the passage: the number
expression in the sentence that best matches the question, with its unit ("$650 million", "33 吉瓦",
"six-to-eight-week", "2014年")."""

from __future__ import annotations

import re
import unicodedata

from ingest.text import detect_lang, sentence_spans
from rag.kinds import JA_COUNTERS, JA_SPAN_OF_YEARS, ZH_MEASURES
from rag.lexical import fold, tokenize

_NUM_WORD = (r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
             r"(?:hundred|thousand|million|billion|trillion|dozen)s?(?:\sof\s(?:thousands|millions|billions))?|half|a few|several|couple)")
_EN_UNIT = (r"(?:[\s-]?(?:%|percent|per cent|x|times|fold|million|billion|trillion|bn|m|k|gigawatts?|GW|megawatts?|MW|"
            r"people|employees|users|customers|companies|weeks?|months?|years?|days?|hours?|minutes?|seconds?|"
            r"dollars?|pounds?|chips?|GPUs?|models?|tokens?|parameters?|countries|languages|hospitals|patients|"
            r"conversations|sessions|hires|researchers)(?![a-z]))*")
_MONTHS = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_CJK_NUM = r"(?:[何数數幾几](?=[十百千万萬億亿兆]))?[0-9０-９一二三四五六七八九十百千万萬億亿兆两兩半幾几数數]"
_CJK_UNIT = (r"(?:[%％]|パーセント|割|倍|億|亿|万|萬|千|百|兆|ドル|美元|英鎊|英镑|ポンド|元|人|名|台|個|个|社|家|年|年代|"
             r"か月|ヶ月|カ月|個月|个月|月|週間|週(?!期)|周(?!期)|日|天|時間|小时|小時|分鐘|分钟|分|秒|吉瓦|ギガワット|GW|歳|岁|歲|次|回|件)+")

FIGURE = re.compile(
    rf"(?:[$£€¥]\s?\d[\d,.]*(?:\s?(?:million|billion|trillion|bn|m|k))?(?:\s?(?:-|to)\s?[$£€¥]?\d[\d,.]*(?:\s?(?:million|billion|trillion|bn|m|k))?)?)"
    rf"|(?:{_CJK_NUM}+(?:[.,．]\d+)?(?:\s?[-~〜～到至]\s?{_CJK_NUM}+)?\s?{_CJK_UNIT})"
    rf"|(?:\d[\d,.]*(?:\s?(?:-|–|to)\s?\d[\d,.]*)?{_EN_UNIT})"
    rf"|(?:\b{_NUM_WORD}(?:[-\s]{_NUM_WORD})*(?:[-\s](?:to|or)[-\s]{_NUM_WORD})?"
    rf"(?:\sof(?=\s(?:people|users|customers|companies|dollars|employees|patients|conversations)\b))?{_EN_UNIT})", re.I)
# Number words that alone are rarely the figure asked for ("one of the best", "a few things"; 十分 is "enough"
# or "very", not ten minutes).
_WEAK = {"one", "a few", "several", "couple", "half", "dozen", "十分", "一个", "一個", "一次", "一つ", "一种", "一種"}
DATE = re.compile(
    # a month by its capitalised name as a whole word ("Maybe", "we may" and "to march" are none); "May" only with a
    # day or a year ("May I…" opens a sentence)
    rf"(?-i:\b(?!May\b(?!\s\d)){_MONTHS}\b(?:\s\d{{1,2}}(?!\d))?(?:,?\s\d{{4}})?)|(?:\b(?:19|20)\d{{2}}s?\b)|"
    rf"(?:(?:last|next|this|past)\s(?:night|week|month|year|decade|"
    rf"(?:\d+|{_NUM_WORD})(?:\s(?:or|to)\s(?:\d+|{_NUM_WORD}))?\s(?!or\b|to\b)\w+))|"  # "the next 20 or 30 years"
    rf"(?:\b(?:the\s)?(?:week|month|year)\safter\snext\b)|"
    rf"(?:\b(?:\d[\d,.]*|{_NUM_WORD})(?:\s(?:or|to)\s(?:\d[\d,.]*|{_NUM_WORD}))?\s(?:years?|months?|weeks?|days?)\s(?:ago|from now|time)\b)|"
    rf"(?:\b(?:yesterday|today|tomorrow|recently|ago)\b)|(?:下下(?:周|週|個月|个月)|再来週|再来月|再来年)|"
    rf"(?:{_CJK_NUM}+\s?(?:年代|年|月|日|週間|週|周|天|ヶ月|か月|個月|个月)(?:[前后後内內])?)|(?:去年|今年|明年|昨年|来年|昨夜|昨晚|上週|上周|最近)",
    re.I)


# What a how-much / how-many question asks for, when its wording says so: money, a share or ratio, a span of
# time, or a count of something else. A figure of another kind is not its answer ("18 months" for "how much did
# Microsoft invest?", "Opus 4.6" for "how many parameters?"). Unmarked questions ("どのくらい") take any figure.
MONEY, SHARE, SPAN, COUNT = "money", "share", "span", "count"
# "How much <something> does…": an amount of it, never a span of time ("50 years" for "how much computing
# capacity?"); unlike the units above it doesn't make "no such figure" an answer ("how much progress?").
AMOUNT = "amount"
_TIME_WORDS = (r"(?:years?|months?|weeks?|days?|hours?|minutes?|seconds?|年(?![度代级級])|ヶ月|か月|カ月|個月|个月|月(?![活度薪])|週間|週|周|天|日|"
               r"時間|小时|小時|分鐘|分钟|秒)")
_ASKS = (
    (MONEY, re.compile(
        r"\bhow much (?:money|cash|revenue|sales|income|profit|funding|capital|budget)\b|"
        r"(?<!\bby )\bhow much\b(?!\s+(?:time|of)\b)(?:\s+\w+){0,6}?\s+(?:pay|paid|paying|cost|costs|costing|spend|spent|spending|"
        r"invest|invested|investing|raise|raised|raising|worth|charge|charging|earn|earned|earning)\b|"
        r"\bwhat (?:price|valuation)\b|\bwhat (?:[\w-]+ )?(?:revenue|sales|income|profit|valuation)\b|\bhow (?:large|big) (?:is|was|are|were) (?:the|its|their|his|this|that) "
        r"(?:budget|investment|deal|contract|funding|valuation|spend|spending|capex)\b|"
        r"いくら(?!か)|何ドル|何円|金額|投資額|費用|値段|多少[钱錢]|多少美元|多少資金|多少资金|[投花付]資?了?多少|"
        r"投资了多少|投資了多少|[价價]格|金[额額]|投[资資][额額]|"
        # a sum named before the question word: "一年营收有多少", "売上はいくら"
        r"(?:[营營]收|收入|[营營]业额|[營营]業額|利[润潤]|估值|[预預]算|[开開]支|支出|市值|薪[酬水资資]|年薪|月薪|工[资資]|[报報]酬|"
        r"融[资資]|[费費]用|成本|[价價][钱錢])(?:[有是為为]|大概|大[约約]|一共|[总總]共)*多少|"
        # the sum named in a what-question: "What's its API price?", "what salary…"
        r"\b(?:what|(?<!\bby )how much)(?:'s|’s| is| was| are| were)?\b[^?]{0,40}?\b(?:price|prices|pricing|salary|pay|compensation|fee|fees|"
        r"budget|cost|costs)\b|"
        r"(?:売上高?|収益|利益|収入|評価額|時価総額|予算|支出)(?:は|が)(?:いくら|どれ|どの)", re.I)),
    (SHARE, re.compile(r"\bwhat (?:percent(?:age)?|share|fraction|proportion)\b|何\s?[%％]|何パーセント|何割|何倍|"
                       r"百分之[幾几]|[幾几]\s?[%％]|[幾几]成|[幾几]倍|百分比|比例|[占佔]比|割合|比率", re.I)),
    (SPAN, re.compile(rf"\bhow many {_TIME_WORDS}|\bhow much time\b|\bhow long (?:ago|(?:does|did|will|would|has|have|had|is|was) "
                      rf"(?:it|this|that) (?:take|taken|last|lasted)|(?:for )?how long\b(?=\s*\??$))|\bfor how long\b|"
                      rf"\bhow long (?:has|have|had) (?:[\w'’-]+ ){{1,5}}?been\b|"
                      rf"多久|多[長长]時間|多[長长]时间|多少{_TIME_WORDS}|[幾几]{_TIME_WORDS}|何年間|何ヶ月|何か月|何カ月|何週|"
                      rf"何日間|何時間|{JA_SPAN_OF_YEARS}|(?:どれ|どの)(?:くらい|ぐらい)(?:の(?:期間|時間))?(?:が)?かかる", re.I)),
    (AMOUNT, re.compile(r"\bhow much (?!(?:time|longer|later|earlier|sooner|more|less|of)\b)(?![a-z]+er\b)[a-z-]+(?: [a-z-]+)? "
                        r"(?:does|did|do|has|have|had|is|are|was|were|will|would|can|could)\b", re.I)),
    # "How much progress has he made?" may have no figure for an answer: only "how many" counts.
    # "參數量有多少" / "用戶數是多少" / "パラメータ数はいくつ": the quantity named before the question word.
    (COUNT, re.compile(rf"\bhow many\b|何{JA_COUNTERS}|何(?=[ァ-ヴ][ァ-ヴー]+)|"
                       r"(?:[量数數]|用[戶户])(?:[有是為为]|大概|大約|大约|一共|總共|总共|目前)*多少(?![钱錢])|数は(?:いくつ|何|どれ|どの)|"
                       rf"多少(?=[\u4e00-\u9fff])(?![钱錢美有会會也还還都能可分])|(?<!哪)[幾几]{ZH_MEASURES}", re.I)),
)


def asked_unit(question: str) -> str | None:
    """MONEY, SHARE, SPAN or COUNT when the question's wording says which, AMOUNT for an amount of something
    (anything but a span of time); None for any figure."""
    question = unicodedata.normalize("NFKC", question)
    return next((unit for unit, pattern in _ASKS if pattern.search(question)), None)


_COUNTED = (
    re.compile(r"\bhow (?:many|much) ((?:[\w-]+ ){0,3}?[\w-]+) (?:does|did|do|has|have|had|is|are|was|were|will|would|"
               r"can|could)\b", re.I),
    re.compile(r"\bhow many ([\w-]+)", re.I),  # no auxiliary follows: its first word ("institutions use…")
    # (a Latin-script noun too: "多少塊GPU")
    re.compile(r"(?:多少|[幾几])(?:個|个|家|台|名|位|塊|块|張|张|顆|颗|枚)?([\u4e00-\u9fff]{2}|[A-Za-z][\w-]*)"),
    re.compile(r"何([ァ-ヴ][ァ-ヴー]+)"),  # 何ナノメートル: the unit it counts in
    re.compile(r"([\u30a0-\u30ff\u4e00-\u9fffA-Za-z]{2,})(?:を|は|が)何"),
)


def counted(question: str) -> list[str]:
    """Words naming what a how-many question counts ("gigawatt", "compute"; "機構"; "GPU"), when it names it."""
    for pattern in _COUNTED:
        m = pattern.search(question)
        if m:
            return [w for w in m.group(1).split() if w.lower() not in ("of", "the", "a", "an")]
    return []


# Japanese counters and Chinese measure words that count the same things: "何人" is answered by "5,000 名", never
# by "493 社" (companies) or "109 ページ" for "何枚" (a counter outside these classes must be the one asked).
_COUNTER_CLASSES = ("人名位", "社家", "台", "回次", "個个つ件項项", "國国")
_ASKED_COUNTER = re.compile(rf"何({JA_COUNTERS}|[ァ-ヴ][ァ-ヴー]+)|(?:多少|(?<!哪)[幾几])({ZH_MEASURES})")
def asked_counter(question: str) -> str | None:
    """The counter a how-many question asks in ("何枚" → 枚, "多少名" → 名, "何ナノメートル" → ナノメートル)."""
    m = _ASKED_COUNTER.search(question)
    return (m.group(1) or m.group(2)) if m else None


def _counts_as(text: str, end: int, counter: str) -> bool:
    """Whether the figure ending at `end` of (Chinese or Japanese) `text` carries `counter`, or one counting the
    same things, within the few characters after its digits."""
    same = next((c for c in _COUNTER_CLASSES if counter in c), None)
    after = text[end:end + len(counter) + 2]
    return any(c in after for c in same) if same else counter in after


def names_counted(question: str, texts) -> bool:
    """Whether one of `texts` names what the question counts (then it may answer without a figure: "all the
    major institutions" for "how many institutions?")."""
    words = [re.sub(r"s$", "", w.lower()) for w in counted(question)]
    return any(w in t.lower() for w in words for t in texts)


# What an English figure counts: the plural noun (or unit of time) among the few words after its numerals, within
# its clause ("493 of the 500 largest companies" → company, "seven new models" → model, "a 109-page report" →
# page). A how-many question naming what it counts is not answered by a figure counting something else
# ("493 … companies" for how many people, "seven new models" for how many GPUs). Nouns of one class count the same
# things, and nouns of no class here may (exchanges, back-and-forths); a Japanese or Chinese counter stands for its
# class. Fixed from what the words mean, not from any question.
_COUNT_CLASSES = (
    frozenset("person human individual employee staff worker researcher scientist engineer member user customer "
              "subscriber patient student hire".split()),
    frozenset("company firm business organization organisation institution enterprise lab".split()),
    frozenset("gpu chip machine server computer device accelerator cluster".split()),
    frozenset("model product app application agent tool feature version".split()),
    frozenset("country nation city".split()),
    frozenset("language".split()),
    frozenset("page word token parameter".split()),
)
_COUNTER_CLASS = {"人": 0, "名": 0, "位": 0, "社": 1, "家": 1, "台": 2}
_IRREGULAR = {"people": "person", "men": "person", "women": "person", "children": "person", "folks": "person"}
_NOT_NOUNS = frozenset("""was is has does this its his hers ours yours theirs always across perhaps less unless thus
plus versus as us yes towards afterwards sometimes whereas besides various previous serious famous obvious numerous
enormous tremendous ridiculous nervous continuous""".split())
_TIME_NOUNS = frozenset("year month week day hour minute second decade century quarter".split())
_CLAUSE_END = re.compile(r"[.,;:!?()\"“”—–]")
_NUMBER_LIST = re.compile(rf"(?:\s*(?:,|or\b|and\b|to\b|-|–)?\s*(?:maybe\s+)?(?:\d[\d,.]*|{_NUM_WORD})\b)*", re.I)
_RANK = re.compile(r"(?:\bnumber|\bno\.|#)\s*$", re.I)
_EN_NUMBERS = {w: n for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_EN_NUMBERS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90})
# Words a figure's number is made of, skipped on the way to the noun it counts ("two hundred thousand users").
_NUMBER_WORDS = frozenset(_EN_NUMBERS) | {w + plural for w in ("hundred", "thousand", "million", "billion", "trillion",
                                                               "dozen") for plural in ("", "s")} \
    | {"or", "to", "and", "of", "the", "a", "an"}


def _stem(word: str) -> str:
    if re.fullmatch(r"[A-Z]{2,}s", word):  # "GPUs"
        return word[:-1].lower()
    word = word.lower()
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def _count_noun(sentence: str, start: int) -> str | None:
    """The (stemmed) noun the English figure starting at `start` counts, when one of the few words after its
    numerals is a plural noun, a unit of time or a hyphened noun ("109-page"); None for a bare number."""
    rest = sentence[start:]
    rest = rest[_NUMBER_LIST.match(rest).end():]  # "two, three, four years": the list's noun counts them all
    rest = rest[:m.start()] if (m := _CLAUSE_END.search(rest)) else rest
    for i, word in enumerate(re.findall(r"(?:-(?=[a-z]))?[A-Za-z][A-Za-z'-]*", rest)[:5]):
        bare = word.lstrip("-")
        low = bare.lower()
        if low in _NOT_NOUNS or low in _NUMBER_WORDS:
            continue
        if word.startswith("-") and i == 0 or low in _IRREGULAR or _stem(low) in _TIME_NOUNS \
                or low.endswith("s") and not low.endswith(("ss", "us", "is", "'s")) and len(low) > 3 \
                or re.fullmatch(r"[A-Z]{2,}s", bare):
            return _stem(bare)
    return None


def counts_something_else(question: str, sentence: str, match: re.Match) -> bool:
    """Whether this figure of an English sentence counts something other than what the how-many question does:
    a different noun of another class than the one asked ("people" / 何人 / 多少名 — "493 … companies"), or a
    rank ("number two")."""
    if _RANK.search(sentence[max(0, match.start() - 12):match.start()]):
        return True
    asked = {_stem(part) for w in counted(question) if re.fullmatch(r"[A-Za-z][\w-]*", w)
             for part in [w, *w.split("-")]}  # "back-and-forths": "five or six back and forths" counts them
    asked_class = _COUNTER_CLASS.get(asked_counter(question) or "")
    noun = _count_noun(sentence, match.start())
    if noun is None or noun in asked:
        return False
    if noun in _TIME_NOUNS:  # a span ("five to 10 years") is not how many of anything
        return True
    # A known class asked is counted only by its nouns ("two reasons" is not how many GPUs); a noun of no class
    # asked may be counted by another of no class: "exchanges" may well be the "back-and-forths" asked.
    asked_classes = {i for i, c in enumerate(_COUNT_CLASSES) if asked & c} | ({asked_class} - {None})
    noun_classes = {i for i, c in enumerate(_COUNT_CLASSES) if noun in c}
    return bool(asked_classes) and not asked_classes & noun_classes


_YEAR = re.compile(r"(?:19|20)\d{2}(?:\s?年)?")
_MONEY = re.compile(r"[$£€¥]|dollars?|pounds?|euros?|美元|ドル|英[鎊镑]|ポンド|円|元(?!素)", re.I)
_RATIO = re.compile(r"[%％]|percent|per cent|パーセント|割|成(?![功为為])|倍|\d\s?x\b|-fold\b", re.I)
_TIMES = re.compile(r"\btimes\b|回|次", re.I)  # "three times": a multiple, or how often
_TIME = re.compile(rf"{_TIME_WORDS}(?![a-z])", re.I)
_NAMED = re.compile(r"[A-Z][\w.]*[\s-]$")  # "Opus 4.6", "Maia 200", "GPT-": a name's number, not a figure
# A bare amount, numerals and a magnitude with no noun ("1.5 trillion", "hundreds of billions", "三千亿"): money
# or a count, whichever was asked.
_BARE_AMOUNT = re.compile(
    rf"(?:[\d.,\s~-]|{_NUM_WORD}|\bof\b|\btens\b|\bhundreds\b|\bthousands\b|[一二三四五六七八九十百千两兩几幾数數])+"
    r"\s?(?:million|billion|trillion|bn|億|亿|兆|万|萬)s?", re.I)


# Kinds of sum: a pay asked ("年薪") is not answered by revenue ("2800億美元的營收"), nor spending by a valuation.
_SUM_KINDS = {name: re.compile(pattern, re.I) for name, pattern in {
    "pay": r"\bsalar(?:y|ies)\b|\bcompensation\b|\bpay ?(?:package|check|cheque)\b|\bwages?\b|薪酬|薪水|年薪|月薪|"
           r"工[资資]|[报報]酬|給料|給与|年収",
    "revenue": r"\brevenues?\b|\bsales\b|\bturnover\b|[营營]收|[营營][业業][额額]|收入|売上|収益|収入",
    "valuation": r"\bvaluations?\b|\bvalued at\b|估值|市值|評価額|時価総額",
    "funding": r"\bfunding\b|\braised?\b|\braising\b|融[资資]|資金調達|募集",
    "spending": r"\bspend(?:s|ing)?\b|\bspent\b|\bcapex\b|\bcapital expenditures?\b|\binvest(?:s|ed|ing|ment|ments)?\b|"
                r"\bbudgets?\b|\bcommit(?:s|ted|ments?)\b|\bpledged?\b|承[诺諾]|投入|[投設]資|投[资資]|支出|[开開]支|出資|[预預]算|予算",
    "price": r"\bprices?\b|\bpricing\b|\bcosts?\b|[价價]格|[价價][钱錢]|成本|料金|値段|費用|[费費]用",
}.items()}


def sum_kinds(text: str) -> set[str]:
    return {name for name, pattern in _SUM_KINDS.items() if pattern.search(text)}


def sums_another(question: str, sentence: str) -> bool:
    """Whether the question names a kind of sum (pay, revenue, valuation, funding, spending, price) and the figure's
    sentence names only other kinds."""
    asked, said = sum_kinds(question), sum_kinds(sentence)
    return bool(asked and said and not asked & said)


def units_of(figure: str, before: str = "") -> frozenset[str]:
    """What a figure may measure (MONEY, SHARE, SPAN, COUNT); none for a name's number ("Opus 4.6")."""
    figure = figure.strip()
    if _MONEY.search(figure):
        return frozenset({MONEY})
    if _BARE_AMOUNT.fullmatch(figure):
        return frozenset({MONEY, COUNT})
    if _RATIO.search(figure):
        return frozenset({SHARE})
    if _TIMES.search(figure):
        return frozenset({SHARE, COUNT})
    if _TIME.search(figure):
        return frozenset({SPAN})
    if is_year_figure(figure):
        return frozenset({SPAN})  # "How long ago…?" – "2010"; never how many of something
    # "Maia 200", "Opus 4.6", and "Maia 200 chip": the name's number, the noun after it what the name is
    if _NAMED.search(before[-24:]) and re.fullmatch(r"[\d.,]+(?:\s(?:chips?|models?|GPUs?|series))?", figure):
        return frozenset()
    return frozenset({COUNT})


def fits(asked: str | None, units: frozenset[str]) -> bool:
    """Whether a figure that may measure `units` can answer a question asking for `asked` (None: any figure)."""
    return asked is None or asked in units or asked == AMOUNT and bool(units - {SPAN})


# The unit of time a how-long question names ("あと何年", "how many weeks", "幾個月"): a span in another unit
# ("eight weeks" for how many years) answers something else when one in the unit asked is quoted.
# unit -> (how a question asks for it, how a figure names it)
_TIME_UNITS = {unit: (re.compile(asks, re.I), re.compile(names, re.I)) for unit, (asks, names) in {
    "year": (r"\bhow many years\b|何年(?!に|から|まで|です|でした|だ)|[幾几]年|多少年",
             r"\byears?\b|年(?![度代级級前后後])"),
    "month": (r"\bhow many months\b|何[ヶかカケ]月|[幾几][個个]月|多少[個个]月", r"\bmonths?\b|[ヶかカケ]月|[個个]月"),
    "week": (r"\bhow many weeks\b|何週|[幾几][週周]|多少[週周]", r"\bweeks?\b|週|周(?!期)"),
    "day": (r"\bhow many days\b|何日|[幾几]天|多少天", r"\bdays?\b|日間|天"),
    "hour": (r"\bhow many hours\b|何時間|[幾几][個个]?小[時时]|多少小[時时]", r"\bhours?\b|時間|小[時时]"),
    "minute": (r"\bhow many minutes\b|何分|[幾几]分[鐘钟]|多少分[鐘钟]", r"\bminutes?\b|分[鐘钟間间]?(?![析配別别享])"),
}.items()}


def asked_time_unit(question: str) -> str | None:
    """"year", "month", "week", "day", "hour" or "minute" when a how-long question names its unit."""
    question = unicodedata.normalize("NFKC", question)
    return next((unit for unit, (asks, _) in _TIME_UNITS.items() if asks.search(question)), None)


def in_time_unit(figure: str, unit: str | None) -> bool:
    """Whether the figure is a span in that unit of time ("2〜3年" in years, "six to eight weeks" in weeks)."""
    return unit is not None and not is_year_figure(figure) \
        and bool(_TIME_UNITS[unit][1].search(unicodedata.normalize("NFKC", figure)))


_ASKS_YEAR = re.compile(r"\b(?:what|which)\s+year\b|哪一年|哪年|何年に|何年から|何年まで|何年(?:です|でした|だ)", re.I)


# A span of time asked ("how long has…", "あと何年続く") is not answered by a year ("2019 年"), unless it asks how
# long ago.
_ASKS_AGO = re.compile(r"\bago\b|何年前|多久(?:以前|之前)|多少年前", re.I)


def is_year_figure(figure: str) -> bool:
    """The figure is a year and nothing else ("2019", "2019 年"); `is_year` asks whether it holds one."""
    return bool(_YEAR.fullmatch(figure.strip()))


# A year put beyond: the marker just before it ("north of 2030", "超过 2030") or just after it ("2030 年より先").
# Shared by the when-question relation and the yes/no year relation.
_BEYOND_BEFORE_YEAR = re.compile(r"(?:\bbeyond|\bafter|\bpast|\bnorth of|\blater than|超[过過])\s*$", re.I)
_BEYOND_AFTER_YEAR = re.compile(r"^\s*(?:年)?\s*(?:以[后後降]|之[后後]|より後|より先|を超え)")

# A date asked with a relation to it ("until what year", "到哪一年以後", "何年まで") is answered by a figure the
# passage states with the same relation ("直到 2032 年", "way north of 2030", "2030 年以降"), when one does.
_RELATIONS = {
    "beyond": (re.compile(r"\b(?:beyond|later than|north of|(?:past|after) (?:what|which) (?:year|date))\b|以[后後]|之[后後]|以降|以後",
                          re.I),
               _BEYOND_BEFORE_YEAR, _BEYOND_AFTER_YEAR),
    "until": (re.compile(r"\b(?:until|till|through|up to)\b|\bby (?:what|which) (?:year|date|time)\b|"
                         r"何年まで|いつまで|直到|到哪|到什[么麼]|截至", re.I),
              re.compile(r"(?:\buntil|\btill|\bthrough|\bup to|\bby|直到|截至|到)\s*$", re.I),
              re.compile(r"^\s*(?:年)?\s*(?:まで|为止|為止)")),
}


def asked_relation(question: str) -> str | None:
    """"until" or "beyond" when a when-question asks the date in that relation."""
    return next((name for name, (asks, _, _) in _RELATIONS.items() if asks.search(question)), None)


def stated_with(relation: str, sentence: str, start: int, end: int) -> bool:
    """Whether the figure at [start, end) of `sentence` is stated in `relation` (a marker just before or after)."""
    _, before, after = _RELATIONS[relation]
    return bool(before.search(sentence[max(0, start - 16):start]) or after.search(sentence[end:end + 8]))


def in_relation(text: str, span: tuple[int, int], figure: str, relation: str) -> bool:
    """Whether `figure`, found in `text` at `span`, is stated there in `relation` ("way north of 2030")."""
    at = text.find(figure, span[0], span[1])
    return at >= 0 and stated_with(relation, text, at, at + len(figure))


# A calendar year a yes/no question puts before or beyond something ("before 2030?", "2030 年之前", "2030年以后",
# "2030 年より前"): the marker just before the year, or just after it.
_YEAR_IN_RELATION = {
    "before": (re.compile(r"\b(?:before|prior to|ahead of)\s*$", re.I),
               re.compile(r"^\s*(?:年)?\s*(?:之前|以前|より前|前に|までに終)")),
    "beyond": (_BEYOND_BEFORE_YEAR, _BEYOND_AFTER_YEAR),
}
_CALENDAR_YEAR_WORD = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


def years_in_relation(text: str) -> set[tuple[str, str]]:
    """(year, "before" or "beyond") for each calendar year `text` puts in one of those relations."""
    text = unicodedata.normalize("NFKC", text)
    found = set()
    for m in _CALENDAR_YEAR_WORD.finditer(text):
        for relation, (before, after) in _YEAR_IN_RELATION.items():
            if before.search(text[max(0, m.start() - 16):m.start()]) or after.search(text[m.end():m.end() + 8]):
                found.add((m.group(), relation))
    return found


def year_relation_verdict(question: str, texts: list[str]) -> str | None:
    """"yes" / "no" when the question puts a year before or beyond something and the reply states that same year
    as one its subject runs beyond ("way north of 2030", "2030 年以降も継続"): "beyond 2030?" is a yes, "before
    2030?" a no, whatever word the reply opens with (its "Definitely not." answered the host: "is it over?")."""
    asked = years_in_relation(question)
    stated = {year for text in texts for year, relation in years_in_relation(text) if relation == "beyond"}
    for year, relation in asked:
        if year in stated:
            return "yes" if relation == "beyond" else "no"
    return None


# A when-question about what is yet to happen ("when will it ship?", "いつから使われる予定?", "计划什么时候上线?") is
# not answered by a date already past ("last week", "数日前", "2022"): that is when something else happened.
_ASKS_FUTURE = re.compile(
    r"\bwhen\b[^?？]*\b(?:will|going to|expected|expect|planned|plans?|due|scheduled)\b|\bby when\b|"
    r"予定|見込み|見通し|ようになる|计划|計劃|预计|預計|打算|[将將]会|[将將]會|(?:什么|什麼)[时時]候[能会會]|何[时時][能会會]|"
    r"[会會]在[^?？]*(?:哪|什么|什麼)|上[线線]", re.I)
_PAST_DATE = re.compile(r"\b(?:ago|last|yesterday|earlier|past|since)\b|上[周週个個月]|去年|昨年|前年|昨[日天晚夜]|[数幾几]日前|"
                        r"[数幾几]年前|[幾几]天前|[幾几][个個]?月前|以前|之前|[過过]去|先[週月]", re.I)
_YEAR_IN = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


def asks_future(question: str) -> bool:
    return bool(_ASKS_FUTURE.search(question))


def is_past(figure: str, year: int) -> bool:
    """Whether a date figure, said in `year`, is already past then: "last week", "数日前", "2022"."""
    return bool(_PAST_DATE.search(figure)) or any(int(y) < year for y in _YEAR_IN.findall(figure))


def asks_year(question: str) -> bool:
    return bool(_ASKS_YEAR.search(question))


# "Which month?", "何月", "几月": a month named answers before any other date ("done in October", not "the last 18
# months").
_ASKS_MONTH = re.compile(r"\b(?:which|what) month\b|何月|[幾几]月(?![份內内])", re.I)
_MONTH_NAMED = re.compile(rf"(?-i:\b{_MONTHS}\b)|(?<![\d.])(?:1[0-2]|[1-9])\s?月(?![間间前后後内內份])|"
                          r"(?:十[一二]?|[一二三四五六七八九])月(?![間间前后後内內份])")


def asks_month(question: str) -> bool:
    return bool(_ASKS_MONTH.search(question))


# "What date?", "何月何日", "几月几号", "哪天": a day is asked, which a span of years or a bare year ("50年" of history,
# "10 年", "2030") never answers.
_ASKS_DAY = re.compile(r"\b(?:what|which)\s+(?:exact\s+|specific\s+)?(?:date|day)\b|何月何日|何日に|日付|日にち|"
                       r"[幾几]月[幾几][号號日]|哪一?天|具[体體]日期|什[么麼]日子", re.I)
_YEARS_ONLY = re.compile(_TIME_UNITS["year"][1].pattern + r"|\bdecades?\b", re.I)  # a span of years, or decades


def asks_day(question: str) -> bool:
    return bool(_ASKS_DAY.search(unicodedata.normalize("NFKC", question)))


def names_no_day(figure: str) -> bool:
    """Whether a date figure is only years: a calendar year or a span of years ("2030", "50年", "next two or three
    years"), no month, week or day."""
    return bool(is_year_figure(figure) or _YEARS_ONLY.search(figure)) and not _MONTH_NAMED.search(figure)


def is_year(figure: str) -> bool:
    return bool(_YEAR.search(figure))


def _squash(text: str) -> str:
    """Spaces out, NFKC, lower case, Han in one script: "兩年" in the passage is the "两年" a question states."""
    return re.sub(r"\s+", "", fold(text))


def _stated(figure: str, asked: str) -> bool:
    """Whether the (squashed) question already states this figure: as written, or all of its numbers."""
    if not asked:
        return False
    digits = re.findall(r"\d+", _squash(figure))
    return _squash(figure) in asked or (bool(digits) and set(digits) <= set(re.findall(r"\d+", asked)))


def _digits_end(match: re.Match) -> int:
    """Where a figure's numerals end ("493 社" → after "493 "), so the counter after them can be read."""
    numerals = re.match(r"[\s\d０-９.,．一二三四五六七八九十百千万萬億亿兆两兩半数數幾几何~〜～到至-]*", match.group())
    return match.start() + numerals.end()


def _figure(match: re.Match) -> str:
    """A match of FIGURE or DATE as the figure it names, without the punctuation around it."""
    return match.group().strip(" -,.")


def _usable(match: re.Match) -> bool:
    """A match that names a figure at all: not empty, not a number word that alone is rarely one (_WEAK), not
    digits glued to a name's letters ("GB200", "H100")."""
    figure = _figure(match)
    before = match.string[max(0, match.start() - 1):match.start()]
    glued = before.isascii() and before.isalpha() and match.group()[:1].isdigit()
    # "MAI-Thinking-1 model", "GPT-4": a name's number after its hyphen (not "mid-2025", not "$1.5-trillion")
    glued = glued or before == "-" and bool(_NAME_HYPHEN.search(match.string[:match.start()]))
    return bool(figure) and figure.lower() not in _WEAK and not glued


_NAME_HYPHEN = re.compile(r"\b[A-Z][A-Za-z]*-$")
_NOTE_MARKER = re.compile(r"^(\s*)(\d{1,2})(?=\D)")  # "3 It will be…", "11自 2022 年…": a footnote's number


def footnote_marker(text: str, start: int) -> int | None:
    """Where a footnote's words begin, when `start` is at or inside its leading number ("3 It will be…" → 2)."""
    m = _NOTE_MARKER.match(text)
    if m is None or start >= m.end():
        return None
    end = m.end()
    while end < len(text) and text[end].isspace():
        end += 1
    return end


def _preferring(found_any: list, keep) -> list:
    """Each sentence's figures (new, all) narrowed to those `keep` holds for, when it holds for any of the
    passage's; as they were otherwise."""
    if not any(keep(m) for *_, found in found_any for m in found):
        return found_any
    return [(s, e, [m for m in new if keep(m)], [m for m in found if keep(m)]) for s, e, new, found in found_any]


# A bound a how-long / how-much question asks for ("worst case", "at the latest", "最悪の場合", "最壞的情況"; "at the
# earliest", "早ければ", "最快"): the figure that answers is the one stated right after the same bound ("six months or
# 12 months or, maybe worst case, 18 months"), not the first of the list. Each: (asked, stated just before).
_BOUNDS = {
    # ("at most" / "at least" only as stated: asked, "at most work" is no bound)
    "upper": (re.compile(r"\bworst\b|\bat the latest\b|最悪|遅くとも|長くても|多くても|最長|最壞|最坏|最遲|"
                         r"最迟|最长|最多", re.I),
              re.compile(r"(?:\bworst(?:[- ]case)?(?: scenario)?|\bat (?:the )?(?:latest|most)|最悪(?:の場合)?|遅くとも|"
                         r"長くても|多くても|最長で?|最[壞坏](?:的情[況况])?|最[遲迟]|最[長长]|最多)\W{0,3}$", re.I)),
    "lower": (re.compile(r"\bbest[- ]case\b|\bat the (?:earliest|soonest)\b|早ければ|少なくとも|最短|最快|最早|"
                         r"至少|最少", re.I),
              re.compile(r"(?:\bbest[- ]case(?: scenario)?|\bat (?:the )?(?:earliest|soonest|least)|早ければ|少なくとも|"
                         r"最短で?|最快|最早|至少|最少)\W{0,3}$", re.I)),
}


def asked_bound(question: str) -> str | None:
    """"upper" or "lower" when the question asks for a bound (worst case, at the latest; at the earliest)."""
    return next((name for name, (asks, _) in _BOUNDS.items() if asks.search(question)), None)


def stated_with_bound(bound: str, match: re.Match) -> bool:
    """Whether the figure `match` found is stated right after the bound asked ("worst case, 18 months")."""
    return bool(_BOUNDS[bound][1].search(match.string[max(0, match.start() - 24):match.start()]))


# A figure that names no number: "何億人" (hundreds of millions of people), "数ヶ月", "幾周", "hundreds of millions".
_VAGUE = re.compile(r"^\s*(?:[何数數幾几]|(?:hundreds|thousands|millions|billions|dozens|tens) of\b)", re.I)


def is_vague(figure: str) -> bool:
    """Whether `figure` names no number ("何億人", "数ヶ月", "hundreds of millions")."""
    return bool(_VAGUE.search(unicodedata.normalize("NFKC", figure)))


# Comparisons a how-much question may ask by ("how much cheaper?", "どれくらい安い", "快多少"), each in three
# languages: the figure that answers is the one stated with it ("30 percent cheaper", "30% 安価な"), not another
# comparison beside it ("1.4x performance per watt").
# Cheaper and dearer: also two of a kind a yes/no question names (rag.answers.verdict), the one the evidence names
# ("30 percent cheaper" for "more expensive?").
CHEAPER = r"(?i:\bcheaper\b|\bless expensive\b|\binexpensive\b)|安い|安く|安価|便宜|低廉|廉價|廉价"
DEARER = r"(?i:\bmore (?:expensive|costly)\b|\bpricier\b|\bcostlier\b)|より[^、。？?]{0,12}?高い|高価|更貴|更贵|昂貴|昂贵|比[^，,。？?]{1,12}?[貴贵]"
_COMPARATIVES = tuple(re.compile(p, re.I) for p in (
    CHEAPER,
    DEARER,
    r"\bfaster\b|\bquicker\b|速い|速く|高速|更快|快多少|加快",
    r"\bslower\b|遅い|遅く|更慢|慢多少",
))
_STATED_AFTER = 40  # characters after a figure that state its comparison


def asked_comparisons(question: str) -> list[re.Pattern]:
    """The comparisons (_COMPARATIVES) a how-much question asks by: none for most."""
    return [p for p in _COMPARATIVES if p.search(question)]


def stated_comparison(comparisons: list[re.Pattern], match: re.Match) -> bool:
    """Whether a figure is stated with one of these comparisons (the words just after it)."""
    after = match.string[match.end():match.end() + _STATED_AFTER]
    return any(p.search(after) for p in comparisons)


def find_figure(text: str, query_tokens: set[str], date: bool = False, question: str = "",
                unit: str | None = None, footnote: bool = False, score_sentences=None
                ) -> tuple[tuple[int, int], str] | None:
    """((sentence start, end), figure) for the sentence of `text` that best matches the question among those
    holding a figure (a date for `date`); None when no sentence holds one. A figure the question itself
    states ("Maia 200", "三年內") is what it asks about, not the answer: other figures come first. `unit`: only
    figures measuring it (asked_unit) answer. `footnote`: the text opens with its footnote's number, no figure.
    `score_sentences(spans)`: how well each sentence answers the question (words and meaning, in any language);
    without it, the question words each shares."""
    pattern = DATE if date else FIGURE
    if footnote:  # blanked, so offsets stay those of `text`
        text = _NOTE_MARKER.sub(lambda m: m.group(1) + " " * len(m.group(2)), text, count=1)
    asked = _squash(question)
    wants_year = asks_year(question)
    counter = asked_counter(question) if unit == COUNT else None
    # Counters compare within one language ("何ギガワット" is answered by the Chinese "33 吉瓦"), and across
    # Japanese and Chinese when the counter is a character both write (何台 is not answered by "33 吉瓦").
    counter_lang = detect_lang(question) if counter is not None else None
    shared = counter is not None and any(counter in c for c in _COUNTER_CLASSES)
    no_years = unit == SPAN and not _ASKS_AGO.search(question)
    relation = asked_relation(question) if date else None
    wants_month = date and asks_month(question)
    found_any = []
    spans = sentence_spans(text) or [(0, len(text))]
    scores = score_sentences(spans) if score_sentences is not None else \
        [len(set(tokenize(text[s:e])) & query_tokens) for s, e in spans]
    for s, e in spans:
        sentence = text[s:e]
        counted_here = counter is not None and counter_lang in ("ja", "zh") and (
            detect_lang(sentence) == counter_lang or shared and detect_lang(sentence) in ("ja", "zh"))
        found = [m for m in pattern.finditer(sentence)
                 if _usable(m) and fits(unit, units_of(m.group(), sentence[:m.start()]))
                 and (not counted_here or _counts_as(sentence, _digits_end(m), counter))
                 and not (unit == COUNT and detect_lang(sentence) not in ("ja", "zh")
                          and counts_something_else(question, sentence, m))
                 and not (no_years and is_year_figure(_figure(m)))]
        found_any.append((s, e, [m for m in found if not _stated(_figure(m), asked)], found))
    if wants_month:
        found_any = _preferring(found_any, lambda m: bool(_MONTH_NAMED.search(m.group())))
    if relation is not None:  # stated in the relation asked (and a year, when a year is asked)
        found_any = _preferring(found_any, lambda m: stated_with(relation, m.string, m.start(), m.end())
                                and (not wants_year or is_year(_figure(m))))
    time_unit = asked_time_unit(question) if unit == SPAN else None
    if time_unit is not None:
        found_any = _preferring(found_any, lambda m: in_time_unit(_figure(m), time_unit))
    bound = asked_bound(question)  # "worst case?": the "maybe worst case, 18 months"
    if bound is not None:
        found_any = _preferring(found_any, lambda m: stated_with_bound(bound, m))
    comparisons = [] if date else asked_comparisons(question)  # "how much cheaper?": the "30 percent cheaper"
    if comparisons:
        found_any = _preferring(found_any, lambda m: stated_comparison(comparisons, m))
    # Only when every figure of the passage is one the question states does one of those answer.
    use_new = any(new for *_, new, _ in found_any)
    best = None
    for (s, e, new, found), overlap in zip(found_any, scores):
        found = new if use_new else found
        if not found:
            continue
        if best is None or overlap > best[0]:
            # The figure in the unit the question asks for ("幾週" → 八周), else one with digits, else the longest.
            figure = _figure(max(found, key=lambda m: (wants_year and is_year_figure(_figure(m)),
                                               bool(set(tokenize(m.group())) & query_tokens),
                                               any(ch.isdigit() for ch in m.group()) or " " in m.group().strip(),
                                               len(m.group()))))
            best = (overlap, (s, e), figure)
    return None if best is None else (best[1], best[2])


def stated_figure(line: str, quotes: list[str], date: bool = False) -> str | None:
    """The figure (or date) an answer's first line opens with, when a quote gives it verbatim: a model's answer,
    told to lead with the figure, names it once the quotes back it."""
    pattern = DATE if date else FIGURE
    return next((_figure(m) for m in pattern.finditer(line) if _usable(m) and any(_figure(m) in q for q in quotes)),
                None)


# Numbers as values, to tell "30 percent cheaper" from the "40% cheaper" a yes/no question asks about (English
# number words: _EN_NUMBERS, above).
_CJK_DIGITS = {ch: n for n, ch in enumerate("〇一二三四五六七八九")} | {"两": 2, "兩": 2}
# (割 is a tenth of a whole: "5割" is 50 percent)
_SCALES = (("割", 10.0), ("trillion", 1e12), ("billion", 1e9), ("bn", 1e9), ("million", 1e6), ("兆", 1e12), ("億", 1e8), ("亿", 1e8),
           ("万", 1e4), ("萬", 1e4), ("千", 1e3))
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?|[〇一二三四五六七八九两兩十]+|\b(?:" + "|".join(_EN_NUMBERS) + r")\b", re.I)


def _number(token: str) -> float | None:
    token = token.lower().replace(",", "")
    if token[0].isdigit():
        return float(token)
    if token in _EN_NUMBERS:
        return float(_EN_NUMBERS[token])
    if "十" in token:  # 十, 十五, 二十, 二十五
        tens, _, ones = token.partition("十")
        return float(_CJK_DIGITS.get(tens, 1) * 10 + _CJK_DIGITS.get(ones, 0)) if len(tens) <= 1 and len(ones) <= 1 else None
    return float(_CJK_DIGITS[token]) if len(token) == 1 else None


def _measure(figure: str) -> str:
    """What a figure measures, finely: a share, money, a calendar year, a span in some unit of time, or a count."""
    if _RATIO.search(figure):
        return "share"
    if _MONEY.search(figure):
        return "money"
    if is_year_figure(figure):
        return "year"
    return next((unit for unit, (_, names) in _TIME_UNITS.items() if names.search(figure)), "count")


def _figures_in(text: str) -> list[tuple[str, float, float, int, int]]:
    """(measure, low, high, start, end) for each figure of NFKC-normalised `text` that is not a name's number."""
    out = []
    for m in FIGURE.finditer(text):
        if not _usable(m):
            continue
        figure = _figure(m)
        if _measure(figure) == "count" and _NAMED.search(text[:m.start()][-24:]):
            continue  # "Maia 200 chip", "Opus 4.6": a name's number
        scale = next((f for word, f in _SCALES if word in figure.lower()), 1.0)
        values = [v * scale for v in (_number(t) for t in _NUMBER.findall(figure)) if v is not None]
        if values:
            out.append((_measure(figure), min(values), max(values), m.start(), m.end()))
    return out


def figure_values(text: str) -> list[tuple[str, float, float]]:
    """(what it measures, low, high) for each figure of `text` that is not a name's number ("Maia 200", "GB200",
    "Opus 4.6"): "six to eight weeks" → ("week", 6, 8), "20億" → ("count", 2e9, 2e9), "30 percent" → ("share", 30, 30)."""
    return [f[:3] for f in _figures_in(unicodedata.normalize("NFKC", text))]


# A figure asked in a relation ("more than 5 years?", "at least 30%?", "5年以上", "超过一半") is not contradicted by
# another figure of its measure: only a figure asked as such is. The words that put it in one, before the figure or
# after it: those bounding it from below ("more than 100 years", "100年以上"), from above ("within five years",
# "5年以内"), and those relating dates, which bound nothing here ("before", "by", "前").
_AT_LEAST_BEFORE = r"\b(?:more|greater|higher) than|\bover|\bat least|\bbeyond|超过|超過|多于|多於|至少|高于|高於"
_AT_MOST_BEFORE = r"\b(?:less|fewer|lower) than|\bunder|\bat most|\bup to|\bwithin|少于|少於|不到|不足|最多|低于|低於"
_DATES_BEFORE = r"\bbefore|\bafter|\bby"
_AT_LEAST_AFTER = r"or more\b|plus\b|以上|超|多|余"
_AT_MOST_AFTER = r"or (?:less|fewer)\b|以下|未満|以内"
_DATES_AFTER = r"or so\b|前|後|后|以后|以後|以前"


def _relation(before: str, after: str) -> tuple[re.Pattern, re.Pattern]:
    """(the words ending the text before a figure, the words opening the text after it)."""
    return re.compile(rf"(?:{before})\s*$", re.I), re.compile(rf"^\s*(?:{after})", re.I)


_AT_LEAST = _relation(_AT_LEAST_BEFORE, _AT_LEAST_AFTER)
_AT_MOST = _relation(_AT_MOST_BEFORE, _AT_MOST_AFTER)
_ANY_RELATION = _relation(f"{_AT_LEAST_BEFORE}|{_AT_MOST_BEFORE}|{_DATES_BEFORE}",
                          f"{_AT_LEAST_AFTER}|{_AT_MOST_AFTER}|{_DATES_AFTER}")
_CALENDAR_YEAR = 1000  # "year" figures from here up are dates ("in 2019"), below it spans ("5年間", "10 years")


def _is_date(measure: str, high: float) -> bool:
    """Whether a figure of this measure is a calendar year ("in 2019"), not a span ("10 years")."""
    return measure == "year" and high >= _CALENDAR_YEAR


def _in(relation: tuple[re.Pattern, re.Pattern], text: str, start: int, end: int) -> bool:
    """Whether the figure at [start, end) of `text` is put in this relation."""
    before, after = relation
    return bool(before.search(text[max(0, start - 16):start]) or after.match(text[end:end + 6]))


def _put_in_relation(text: str, start: int, end: int) -> bool:
    """Whether the figure at [start, end) of `text` is put in a relation ("more than 5", "5年以上")."""
    return _in(_ANY_RELATION, text, start, end)


def _bound(text: str, start: int, end: int) -> str | None:
    """"min" when the figure at [start, end) is asked as a lower bound ("more than 5"), "max" as an upper one
    ("within 5"), else None."""
    if _in(_AT_LEAST, text, start, end):
        return "min"
    if _in(_AT_MOST, text, start, end):
        return "max"
    return None


def _counted_values(text: str) -> list[tuple[str, float, float]]:
    """(the noun it counts, low, high) for each English figure of `text` followed by a plural noun ("seven new
    models" → ("model", 7, 7)); figures put in a relation ("more than five models") left out."""
    text = unicodedata.normalize("NFKC", text)
    return [(noun, low, high) for _, low, high, start, end in _figures_in(text)
            if not _put_in_relation(text, start, end)
            and (noun := _count_noun(text, start)) is not None and noun not in _TIME_NOUNS]


def miscounts(question: str, reply: list[str]) -> bool:
    """Whether the question counts something ("nine new models") that the reply, anywhere in it, counts otherwise
    and never so ("seven new models"): further from the question's words than the quoted window reaches."""
    given = [f for text in reply for f in _counted_values(text)]
    for noun, low, high in _counted_values(question):
        same = [(lo, hi) for n, lo, hi in given if n == noun]
        if same and not any(lo <= low and high <= hi for lo, hi in same):
            return True
    return False


def counting_sentence(question: str, text: str) -> tuple[int, int] | None:
    """The span of the first sentence of `text` counting, otherwise, something the question counts: the words
    that make a miscounted question's "no" ("We have seven new models…" for "nine new models?")."""
    from ingest.text import quotable_spans

    return next(((s, e) for s, e in quotable_spans(text) if miscounts(question, [text[s:e]])), None)


_HALF = re.compile(r"\b(?:by )?half\b|一半|半分|半減|减半|減半|腰斩|腰斬", re.I)


STATED_FIGURE_MIN = 10  # smaller figures ("two", "5") are said by everyone about everything


def stated_figures(text: str) -> set[tuple[str, float]]:
    """(measure, value) of each single-valued figure of `text` from STATED_FIGURE_MIN up."""
    return {(m, lo) for m, lo, hi in figure_values(text) if lo == hi and lo >= STATED_FIGURE_MIN}


def gives_figure_stated(question: str, texts) -> bool:
    """Whether one of `texts` gives a figure the question states ("33吉瓦?" — "我們擁有 33 吉瓦"), in any language."""
    stated = stated_figures(question)
    return bool(stated) and any(stated & stated_figures(t) for t in texts)


def misstates_figure(question: str, evidence: str) -> bool:
    """Whether the question states a figure that the evidence, giving figures of that measure, never gives:
    "Is the Maia 200 40% cheaper?" — "30 percent cheaper"; "5年間…働いていた?" — "for 10 years". Calendar years
    are left out: a question puts them in relations ("beyond 2030?", "before 2030?") that another year in the
    evidence doesn't contradict; so is any figure the question puts in a relation ("more than 5 years?")."""
    given = figure_values(evidence)
    question = unicodedata.normalize("NFKC", question)
    # "by half?" asks a share too (50%): "降了一半左右?" against "降低了90%" (only in what is asked: "the first half of
    # the year" in his words is no share)
    halves = [("share", 50.0, 50.0, m.start(), m.end()) for m in _HALF.finditer(question)]
    for measure, low, high, start, end in _figures_in(question) + halves:
        if _is_date(measure, high):
            continue
        if _put_in_relation(question, start, end):
            # …but a bound every figure of its measure falls outside is contradicted: "100年以上先?" against "over
            # the next 20 or 30 years" (calendar years aside: "by 2030" is no span)
            bound = _bound(question, start, end)
            spans = [(lo, hi) for m, lo, hi in given if m == measure and not _is_date(m, hi)]
            if bound and spans and all(hi < low * (1 - 1e-6) if bound == "min" else lo > high * (1 + 1e-6)
                                       for lo, hi in spans):
                return True
            continue
        same = [(lo, hi) for m, lo, hi in given if m == measure]
        if same and not any(lo * (1 - 1e-6) <= low and high <= hi * (1 + 1e-6) for lo, hi in same):
            return True
        if not same and measure in _DAYS_IN:
            # a span given in another unit of time: "three years, worst case?" against "worst case, 18 months"
            spans = [(lo * _DAYS_IN[m], hi * _DAYS_IN[m]) for m, lo, hi in given if m in _DAYS_IN and not _is_date(m, hi)]
            low, high = low * _DAYS_IN[measure], high * _DAYS_IN[measure]
            if spans and not any(lo * (1 - _UNIT_SLACK) <= low and high <= hi * (1 + _UNIT_SLACK) for lo, hi in spans):
                return True
    return False


# Days in each unit of time, to set a span in one unit against one in another; "a year" and "12 months", "a month"
# and "four weeks" are the same span within _UNIT_SLACK.
_DAYS_IN = {"year": 365.0, "month": 30.4, "week": 7.0, "day": 1.0, "hour": 1 / 24, "minute": 1 / 1440}
_UNIT_SLACK = 0.1
