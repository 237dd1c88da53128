"""Yes or no, from the guest's own words: how his reply opens ("Definitely not.", "Yeah, I think that's
right.", "いいえ", "當然不"), else whether the quoted evidence negates. The verdict leads the answer; the
quotes that support it follow, verbatim."""

from __future__ import annotations

import re
import unicodedata

from ingest.models import Chunk
from ingest.text import sentence_spans
from rag.answers.figure import CHEAPER, DEARER, gives_figure_stated, miscounts, misstates_figure, year_relation_verdict
from rag.lexical import content_tokens

_NO = re.compile(
    r"^\W*(no\b(?!\s+(?:doubt|question)\b)|nope\b|not\b(?!\s+(?:only|just)\b)|never\b|definitely not|absolutely not|certainly not|of course not|not at all|not really|"
    r"i don['’]t think|i do not think|i haven['’]t|i have not|i didn['’]t|i did not|we didn['’]t|we did not|oh, we didn['’]t|"
    r"we don['’]t|we haven['’]t|i wouldn['’]t|i'm not|i’m not|that['’]s not|it['’]s not|nobody|none)"
    r"|^\W*(いいえ|いや|違います|そうではありません|そんなことはありません|(?:全く|まったく)(?!その通り|同感|同意|そう)|決して|ありません)"
    r"|^\W*(不是|不，|不,|不。|沒有|没有|當然不|当然不|絕對不|绝对不|完全不是|並不|并不|從來沒有|从来没有|不會|不会)", re.I)
_YES = re.compile(
    r"^\W*(yes\b|yeah\b|yep\b|no doubt\b|no question\b|absolutely|definitely\b(?! not)|certainly\b(?! not)|of course\b(?! not)|sure\b|"
    r"exactly|correct|that['’]s right|that['’]s true|that is true|i think so|i think that['’]s right|i['’]m pretty certain|"
    r"(?:i am|i do|we do|we are|we did|we have|i have)\b(?!\s+not\b|n['’]t)|i believe so|100%|totally|indeed|right[,.!])"
    r"|^\W*(はい|ええ|そうです|その通り|(?:全く|まったく)その通り|確かに|もちろん|そうですね)"
    # 對/对 alone is "right"; 對於/对于 "regarding", 對方 "the other side", 對話 "a conversation" are not.
    r"|^\W*(是的|是啊|(?:對|对)(?![于於方话話手象此面待付外應应照比])|沒錯|没错|當然|当然|確實|确实|的確|的确)", re.I)
# Negation words; compounds that only look negative ("非常" very, "非営利" non-profit, "不過" but, "不滿" discontent,
# "少ない" few) are not.
_NEGATION = re.compile(
    r"\b(not|never|no|none|nobody|nothing|neither|nor|unlikely|impossible)\b|n['’]t\b|(?<![少危])ない|(?<![がもはのをにで])なくな[っるりれ]|ません|ず[、。]|"
    r"不(?![過过僅仅斷断久少同錯错滿满])|沒|没|無(?!論)|无(?!论)|[並并絕绝而]非", re.I)

# Negations that deny nothing the question asks: not knowing a thing ("a lot of people don't realize that 65
# percent…", 多くの人が知らない, 很多人不知道) asserts what follows, and "not only", "no doubt", 間違いない,
# 不得不 ("have to") affirm.
_NOT_DENIAL = re.compile(
    r"\b(?:do|does|did)\s*n['’]t\s+(?:realize|realise|know|appreciate|understand)\b|\b(?:do|does|did) not "
    r"(?:realize|realise|know|appreciate)\b|\bnot aware\b|\bnot (?:only|just)\b|\bno (?:doubt|question)\b|"
    r"知らない|知られていない|気づいていない|気付いていない|認識していない|間違いない|違いない|だけではない|だけでなく|"
    r"かもしれない|かもしれません|かも知れない|かも知れません|"  # "might be", not a denial
    # "must": なければならない, なくてはいけない, ないといけません (a negation of a negation)
    r"な(?:けれ|く)ば(?:なら|いけ)(?:ない|ません)|なくては(?:なら|いけ)(?:ない|ません)|ないと(?:いけ|だめ)(?:ない|ません)?|"
    r"ざるを得(?:ない|ません)|ねばならない|"
    r"不知道|不曉得|不晓得|沒意識到|没意识到|沒有意識到|没有意识到|不了解|不瞭解|不只|不但|不得不|毫無疑問|毫无疑问|"
    # idioms holding 不 that deny nothing: strangers, incredible, amazing, ceaselessly
    r"素不相[識识]|互不相[識识]|不可思[議议]|了不起|不得了|不停|"
    # "inevitable", "indispensable": what can't be avoided or done without is affirmed
    r"不可避免|[无無]可避免|不可或缺|避けられ(?:ない|ません)|欠かせ(?:ない|ません)|不可欠", re.I)

YES, NO = "yes", "no"


def _first_sentence(text: str) -> str:
    spans = sentence_spans(text) or [(0, len(text))]
    return text[spans[0][0]:spans[0][1]]


# Spoken fillers an answer marker may come after: "I mean, obviously I didn't say it was here."
_DISCOURSE = re.compile(r"^\W*(?:(?:i mean|look|well|obviously|honestly|frankly|listen|oh)\b[,\s]*)+", re.I)


def opening_polarity(text: str) -> str | None:
    """"yes" / "no" when the reply's first sentence opens with an answer marker (after any spoken filler), else
    None."""
    first = _first_sentence(text)
    first = first[m.end():] if (m := _DISCOURSE.match(first)) and m.end() < len(first) else first
    if _NO.match(first):
        return NO
    if _YES.match(first):
        return YES
    return None


# A negation inside a condition denies nothing ("if it can't pass this test, people will reject it, and rightly").
_CONDITION = re.compile(r"\bif\b[^,;.?!]*|もし[^、。]*?(?:ならば|なら|れば|たら|のであれば|であれば)|如果[^，,。]*", re.I)
# Saying the opposite happened denies the question without a negation ("事實上,這反而加深了…": it deepened them).
_CONTRARY = re.compile(r"反而|恰恰相反|むしろ|逆に|\bon the contrary\b|\bquite the opposite\b|\bif anything\b", re.I)


# What people think is so, but actually isn't: "People often associate them with the international super elites…,
# but they actually have the majority on Medicaid" (…が、実際には… / 但其實…).
_BUT_ACTUALLY = re.compile(r"\bbut\b[^.;!?]{0,30}?\b(?:actually|in fact|in reality)\b|[がけど][、,]?\s*実(?:際に|は)|"
                           r"[但可](?:是)?[，,]?\s*(?:其[實实]|[實实]際上|[实實]际上|事[實实]上)", re.I)


def set_right(asked: str, evidence: str) -> bool:
    """Whether what is asked is what the evidence says people wrongly think ("People often associate them with…")
    and then sets right ("…but they actually…"): it shares more words with what comes before the turn than after."""
    m = _BUT_ACTUALLY.search(evidence)
    if not m:
        return False
    words = set(content_tokens(asked))
    return len(words & set(content_tokens(evidence[:m.start()]))) > len(words & set(content_tokens(evidence[m.end():])))


def negates(text: str) -> bool:
    """Whether the evidence denies: a negation outside any condition that denies something, or a turn to the
    contrary."""
    return bool(_CONTRARY.search(text) or _NEGATION.search(_NOT_DENIAL.sub(" ", _CONDITION.sub(" ", text))))


# Words that make a claim absolute, by meaning across the three languages: a question asking whether something is
# *already*, *always*, *all*, *forever* or *the only one* so is answered no by evidence that doesn't say so ("it's coming"; "a
# lot of our data"; "all good relationships evolve").
_ABSOLUTE = (
    re.compile(r"\balready\b|已經|已经|既に|すでに|もう", re.I),
    re.compile(r"\b(?:all|every|everything|entire|entirely)\b|所有|全部|全都|統統|统统|一切|每|すべて|全て|全部", re.I),
    re.compile(r"\b(?:always|forever|never-ending)\b|永遠|永远|總是|总是|一直|ずっと|いつも|永久", re.I),
    re.compile(r"\b(?:fully|completely|totally)\b|完全|全く|まったく", re.I),
    # the only one, alone: "the only new model", "彼一人で下した", "少し調整するだけ"
    re.compile(r"\b(?:only|solely|sole|alone|single-handedly|by himself|on his own)\b|唯一|只有|獨自|独自|單獨|单独|"
               r"だけ|のみ|一人で|単独", re.I),
)


def overstates(question: str, evidence: str) -> bool:
    """Whether the question makes its claim absolute in a way the evidence doesn't."""
    return any(p.search(question) and not p.search(evidence) for p in _ABSOLUTE)


# Things of one kind, one of which a question may name where the evidence names another ("in the US?" — "in the
# UK"; "ranked first?" — "number two"; "a for-profit?" — "a nonprofit"): the evidence then answers no without a
# negation. Each member in the three languages.
_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
                "november", "december")
_KANJI_MONTHS = ("(?<!十)一", "(?<!十)二", "三", "四", "五", "六", "七", "八", "九", "十(?![一二])", "十一", "十二")
# The months of the year, by name or number ("signed in December?" — "10 月に署名"); "May" only capitalised (may),
# and "6 か月", "6個月" are spans, not June.
MONTHS = {name: (rf"\b(?:{name.title()}|{name.upper()})\b" if name == "may" else rf"(?i:\b{name}\b)") +
          rf"|(?<![\d.]){n}\s?月(?![間间前后後内內份])|{kanji}月(?![間间前后後内內份])"
          for n, (name, kanji) in enumerate(zip(_MONTH_NAMES, _KANJI_MONTHS), 1)}

_ALTERNATIVES = tuple({name: re.compile(pattern) for name, pattern in kind.items()} for kind in (
    # "US", "UK", "EU" only in capitals ("serve us"); the other names in any case
    {"us": r"\b(?:US|U\.S\.|USA|(?i:america|american|united states))\b|アメリカ|米国|美国|美國",
     "uk": r"\b(?:UK|U\.K\.|(?i:britain|british|england|united kingdom))\b|イギリス|英国|英國|英格兰|英格蘭",
     "china": r"(?i:\bchina\b|\bchinese\b)|中国|中國",
     "france": r"(?i:\bfrance\b|\bfrench\b)|フランス|法国|法國",
     "japan": r"(?i:\bjapan\b|\bjapanese\b)|日本",
     "india": r"(?i:\bindia\b|\bindian\b)|インド|印度",
     "israel": r"(?i:\bisrael\b|\bisraeli\b)|イスラエル|以色列",
     "ireland": r"(?i:\bireland\b|\birish\b)|アイルランド|爱尔兰|愛爾蘭",
     "germany": r"(?i:\bgermany\b|\bgerman\b)|ドイツ|德国|德國",
     "europe": r"\bEU\b|(?i:\beurope\b|\beuropean\b)|欧州|ヨーロッパ|欧盟|歐盟|欧洲|歐洲"},
    # "排名世界第一" and "世界一" rank; "第一次" (the first time) does not
    {"1": r"(?i:\b(?:first|number one|no\.\s?1)\b|#1\b)|1位|第一位|首位|(?:排名?|世界|全球)第一|世界一|世界で一番|ナンバーワン",
     "2": r"(?i:\b(?:second|number two|no\.\s?2)\b|#2\b)|2位|第二位|(?:排名?|世界|全球)第二|2番目|二番目",
     "3": r"(?i:\b(?:third|number three|no\.\s?3)\b|#3\b)|3位|第三位|(?:排名?|世界|全球)第三|3番目|三番目"},
    {"for-profit": r"(?i:\bfor-profit\b)|(?<!非)営利|(?<!非)营利|(?<!非)營利",
     "nonprofit": r"(?i:\bnon-?profit\b)|非営利|非营利|非營利"},
    # cities, as countries are ("in Seattle?" — "in Boston")
    {"seattle": r"(?i:\bseattle\b)|シアトル|西雅圖|西雅图",
     "redmond": r"(?i:\bredmond\b)|レドモンド|雷德蒙",
     "boston": r"(?i:\bboston\b)|ボストン|波士頓|波士顿",
     "new york": r"(?i:\bnew york\b)|ニューヨーク|紐約|纽约",
     "san francisco": r"(?i:\bsan francisco\b)|サンフランシスコ|舊金山|旧金山|三藩市",
     "silicon valley": r"(?i:\bsilicon valley\b)|シリコンバレー|矽谷|硅谷",
     "london": r"(?i:\blondon\b)|ロンドン|倫敦|伦敦",
     "paris": r"(?i:\bparis\b)|パリ|巴黎",
     "beijing": r"(?i:\bbeijing\b)|北京",
     "shanghai": r"(?i:\bshanghai\b)|上海",
     "tokyo": r"(?i:\btokyo\b)|東京|东京"},
    # dearer or cheaper ("more expensive than a GB200?" — "30 percent cheaper")
    {"dearer": DEARER, "cheaper": CHEAPER},
    # a degree finished or left ("finish his degree at Oxford?" — "So I dropped out")
    {"finished": r"(?i:\bfinish(?:ed|ing)?\b|\bgraduat(?:e|ed|ing)\b)|卒業|畢業|毕业",
     "dropped": r"(?i:\bdrop(?:ped|ping)? out\b|\bdropout\b)|中退|退学|退學|輟學|辍学"},
    # still doing it, or no longer ("就不再和好朋友打電話了嗎?" — "我仍然每個周末都給最好的朋友們打電話")
    {"still": r"(?i:\bstill\b)|仍然|依然|仍舊|仍旧|依舊|依旧|還在|还在|今でも|今も|いまだに|相変わらず",
     "no longer": r"(?i:\bno longer\b|\bstopped\b|\bnot any ?more\b)|不再|再也不|もはや|やめ(?:た|て|ました)"},
    # what someone does for a living ("Was his dad a doctor?" — "My dad was a cab driver")
    {"doctor": r"(?i:\bdoctors?\b|\bphysicians?\b|\bsurgeons?\b)|医者|医師|醫生|医生|醫師|医师",
     "nurse": r"(?i:\bnurses?\b)|看護師|看護婦|護士|护士",
     "driver": r"(?i:\b(?:cab|taxi|bus|lorry|truck) drivers?\b|\bcabbies?\b)|運転手|ドライバー|司機|司机",
     "carpenter": r"(?i:\bcarpenters?\b)|大工|木匠|木工",
     "electrician": r"(?i:\belectricians?\b)|電気工|電気技師|電工|电工",
     "lawyer": r"(?i:\blawyers?\b|\battorneys?\b)|弁護士|律師|律师",
     "accountant": r"(?i:\baccountants?\b)|会計士|會計師|会计师",
     "teacher": r"(?i:\bteachers?\b)|教師|教员|教員|教师|老師|老师"},
    # where on the political spectrum ("右派?" — "a centrist… started as a lefty")
    {"right": r"(?i:\bright[- ]wing(?:er)?\b|\bon the right\b|\bfar[- ]right\b)|右派|右翼",
     "left": r"(?i:\blefty\b|\bleftist\b|\bleft[- ]wing(?:er)?\b|\bon the left\b|\bfar[- ]left\b)|左派|左翼|極左|极左",
     "centre": r"(?i:\bcentrist\b|\bcentre-ground\b|\bcenter-ground\b)|中道|中間派|中间派"},
    # other labs' models ("on par with GPT-5.5?" — "on par with Opus 4.6"); one family member each, as written
    {"gpt": r"(?i:\bGPT-?\d[\w.]*)", "opus": r"(?i:\bopus\b)", "sonnet": r"(?i:\bsonnet\b)",
     "haiku": r"(?i:\bhaiku\b)", "gemini": r"(?i:\bgemini\b)|ジェミニ|双子座", "grok": r"(?i:\bgrok\b)",
     "llama": r"(?i:\bllama\b)", "deepseek": r"(?i:\bdeepseek\b)"},
    # publications ("on the board of the FT?" — "on the board of The Economist")
    {"economist": r"(?i:\beconomist\b)|エコノミスト|經濟學人|经济学人",
     "ft": r"\bFT\b|(?i:\bfinancial times\b)|フィナンシャル・?タイムズ|金融時報|金融时报",
     "guardian": r"(?i:\bguardian\b)|ガーディアン|衛報|卫报",
     "nyt": r"\bNYT\b|(?i:\bnew york times\b)|ニューヨーク・?タイムズ|紐約時報|纽约时报",
     "wsj": r"\bWSJ\b|(?i:\bwall street journal\b)|ウォール・?ストリート・?ジャーナル|華爾街日報|华尔街日报"},
    MONTHS,
))


def kinds_named(question: str) -> tuple[dict, ...]:
    """The kinds of thing (:data:`_ALTERNATIVES`) of which the question names one: a country, a rank, a trade…"""
    question = unicodedata.normalize("NFKC", question)
    return tuple(kind for kind in _ALTERNATIVES if any(p.search(question) for p in kind.values()))


def alternatives_named(text: str) -> list[re.Pattern]:
    """The patterns of the things of a kind (:data:`_ALTERNATIVES`) that `text` names ("Britain": the UK's)."""
    return [p for kind in _ALTERNATIVES for p in kind.values() if p.search(text)]


def names_one_of(kinds: tuple[dict, ...], text: str) -> bool:
    """Whether `text` names any one of `kinds` (the one asked about or another)."""
    text = unicodedata.normalize("NFKC", text)
    return any(p.search(text) for kind in kinds for p in kind.values())


# A model of a family by its version ("GPT-6", "Gemini 3", "MAI-Transcribe-1.5"): another version of it is another model.
_VERSIONED = re.compile(r"(?<![a-z0-9])(gpt|opus|sonnet|haiku|gemini|claude|llama|grok|mai-[a-z]+)[- ]?(\d+(?:\.\d+)?)(?![\d.]*\d)",
                        re.I)


def versions_named(text: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for family, version in _VERSIONED.findall(text):
        out.setdefault(family.lower(), set()).add(version)
    return out


def another_version(question: str, evidence: str) -> bool:
    """Whether the question names a model by its version and the evidence names only other versions of that family
    ("GPT-6" asked, "GPT-5.5" said)."""
    asked, said = versions_named(question), versions_named(evidence)
    return any(family in said and not versions & said[family] for family, versions in asked.items())


def replaces(question: str, evidence: str) -> bool:
    """Whether the evidence names, of some kind of thing the question names (a country, a rank, profit or not, a
    model's version), only others: "我原本很想在英國創辦 Inflection" for "想把 Inflection 创办在美国吗"."""
    question, evidence = (unicodedata.normalize("NFKC", t) for t in (question, evidence))
    if another_version(question, evidence):
        return True  # "GPT-6" asked, only "GPT-5.5" said
    for kind in _ALTERNATIVES:
        asked = {name for name, p in kind.items() if p.search(question)}
        said = {name for name, p in kind.items() if p.search(evidence)}
        if asked and said and not asked & said:
            return True
    return False


# "Rather than X", "而不是 X", "X ではなく": X is what was not done. English and Chinese put X after the marker,
# Japanese before it.
_RATHER_THAN_AFTER = re.compile(r"(?:\brather than\b|\binstead of\b|而不是|而非)([^.。!?！？]{1,80})", re.I)
_RATHER_THAN_BEFORE = re.compile(r"([^、。!?！？]{1,40})(?:のではなく|ではなく)")


def sets_aside(text: str) -> bool:
    """Whether `text` itself puts something aside ("rather than", "而不是", "ではなく")."""
    return bool(_RATHER_THAN_AFTER.search(text) or _RATHER_THAN_BEFORE.search(text))


def rejects(question: str, texts: list[str]) -> bool:
    """Whether one of `texts` (the versions of his reply) sets a word of the question aside as what was not done:
    "rather than just re-implementation, copying, or distillation" for "Did Microsoft distill…?"."""
    words = set(content_tokens(question))
    return any(words & set(content_tokens(m.group(1)))
               for text in texts for pattern in (_RATHER_THAN_AFTER, _RATHER_THAN_BEFORE) for m in pattern.finditer(text))


def not_borne_out(asked: str, evidence: str, around: str) -> bool:
    """Whether what is asked (a yes/no question, or a claim) makes an absolute the best `evidence` sentence doesn't,
    or names a thing of which the words quoted `around` it name only others (a figure they give otherwise is
    settled before: `verdict`)."""
    return overstates(asked, evidence) or replaces(asked, around)


# What follows an opening "No," in its sentence: "No, I'm still calling for those things."
_AFTER_NO = re.compile(r"^\W*(?:no|nope|いいえ|いや|不是|不)\W+", re.I)
RESTATED_WORDS = 2  # words of the question the rest of the sentence must hold


def restates(asked: str, text: str) -> bool:
    """Whether the reply's first sentence, past its opening "No,", says without negation what the question asks
    (holding RESTATED_WORDS of its words, or the very one of a kind of thing it names: "still"): that "No" answered
    the host's framing ("So you've given up on…?")."""
    first = _first_sentence(text)
    m = _AFTER_NO.match(first)
    if not m:
        return False
    rest = first[m.end():]
    if negates(rest):
        return False
    if len(set(content_tokens(rest)) & set(content_tokens(asked))) >= RESTATED_WORDS:
        return True
    asked, rest = (unicodedata.normalize("NFKC", t) for t in (asked, rest))
    # or names the very one of a kind the question asks about ("still" for "仍然…嗎?", a country, a rank)
    return any(p.search(asked) and p.search(rest) for kind in _ALTERNATIVES for p in kind.values())


# Negations that only make a question of it ("Didn't he say…?", "…, isn't it?", "是不是", "有沒有", "…じゃないですか"):
# they deny nothing of what is asked.
_ASKING_NEGATION = re.compile(
    r"^\W*(?:so\s+|and\s+|but\s+)?(?:isn't|aren't|wasn't|weren't|doesn't|don't|didn't|hasn't|haven't|hadn't|won't|"
    r"wouldn't|can't|couldn't|shouldn't)\b|"
    r"(?:,|—|-|–)\s*(?:isn't (?:it|that (?:right|so))|didn't he|doesn't he|hasn't he|wasn't it|wasn't he|no)\s*\?\s*$|"
    r"[，,]?\s*(?:沒錯|没错|對不對|对不对|是不是|不是)\s*[吧嗎吗]?\s*[？?]\s*$|"  # "…，沒錯吧?": a tag
    r"是不是|是否|([\u4e00-\u9fff])[不沒没]\1|難道|难道|^[^？?。]{0,12}?不是(?=[^？?。]*[嗎吗]\s*[？?]?\s*$)|"
    r"(?:じゃ|では)(?:ない|ありません)(?:でしょう|です)?(?:か|の|よね)?\s*[?？]?\s*$|"
    r"(?:ない|ません|なかった|ませんでした)(?:のです|んです|です|でしょう)?(?:か|の)?\s*[?？]\s*$", re.I)


# Negations inside a noun ("a no-poach agreement", "互不挖角的协议", "引き抜かないという協定") or setting one thing
# against another ("'tasks' and not 'jobs'") deny nothing the question asks.
_NOT_ASKING_A_DENIAL = re.compile(r"\bno-\w+|\bnon-\w+|互不|(?:,|\band|\bbut)\s+not\s+\S+|ないという|ないとの|"
                                  r"不\S{1,4}的(?:協議|协议|約定|约定|規定|规定)", re.I)


def asks_a_denial(question: str) -> bool:
    """Whether what a question asks is itself a denial ("Does he think it won't happen?", "不可能?"), not the
    negations that only make a question of it or sit inside a noun."""
    return negates(_NOT_ASKING_A_DENIAL.sub(" ", _ASKING_NEGATION.sub(" ", question)))


def asks_the_opposite(question: str, host_question: str) -> bool:
    """Whether a yes/no question asks about the negation of what the host asked ("他是不是觉得基本不可能?" for "could
    I be buying my Christmas presents using an AI agent?"): his opening "I'm pretty certain you will be" then answers
    it no. Not when the host's question negates too ("You don't think…?" — "No.")."""
    return bool(host_question) and asks_a_denial(question) and not asks_a_denial(host_question)


# Asking whether he meant it ("seriously", 本気, 認真, 當真) is answered no by a reply that says he's joking.
_ASKS_SERIOUS = re.compile(r"\bserious(?:ly)?\b|\bmeant it\b|\bmean it\b|本気|真剣|マジで|[认認]真|[当當]真|不是[开開]玩笑", re.I)
_JOKING = re.compile(r"\b(?:joking|kidding|just a joke|in jest)\b|冗談|[开開]玩笑|说笑|說笑", re.I)


def said_in_jest(question: str, texts: list[str]) -> bool:
    """Whether the question asks if he was serious and his reply says he was joking ("我在開玩笑")."""
    return bool(_ASKS_SERIOUS.search(question)) and any(_JOKING.search(t) for t in texts)


def jest_span(question: str, text: str) -> tuple[int, int] | None:
    """The sentence of `text` saying he was joking, when the question asks whether he was serious."""
    if not said_in_jest(question, [text]):
        return None
    at = _JOKING.search(text).start()
    return next(((s, e) for s, e in sentence_spans(text) if s <= at < e), None)


def verdict(reply: list[Chunk], evidence: str, question: str = "", claim: str | None = None, quoted: str = "",
            claim_quoted: bool = False) -> str:
    """The verdict a guest reply gives: its opening marker (the English original first: translations soften
    "No." into a sentence; not for a `claim`), else "no" when the quoted evidence negates or doesn't bear out an absolute the
    `question` asks about (given for yes/no questions), or the words `quoted` around it name only another of a
    kind the question names ("more expensive?" — "30 percent cheaper", a sentence after the one that answers
    best), or his reply sets what it asks about aside ("rather than… distillation"), else "yes". Given the
    `claim` a "did he say X?" question asks about, the evidence answers no only when it negates and X doesn't,
    or X does and it doesn't: "並不可取" (not advisable) is borne out by "我并不認為這是正確的方法"."""
    asked = claim if claim is not None else question
    if said_in_jest(question, [c.text for c in reply]):
        return NO  # "was he serious about six months?" — "我在開玩笑"
    if asked and (by_year := year_relation_verdict(asked, [c.text for c in reply])) is not None:
        return by_year  # "beyond 2030?" against "way north of 2030", whatever the reply's opening word answered
    if asked and (misstates_figure(asked, quoted or evidence) or miscounts(asked, [c.text for c in reply])):
        return NO  # "for 5 years?" against "for 10 years" (or "nine new models?" against the reply's "seven new
        # models"): no, whatever the reply's opening word answered
    # His reply's opening word answers the host's question, not whether he said the words a claim puts to him:
    # those are read against his words (read probes, who-said and yes/no +6 net; held-out b +2; dev unchanged).
    ordered = sorted(reply, key=lambda c: c.section != "en") if claim is None else []
    for chunk in ordered:
        if chunk.piece == 0:
            found = opening_polarity(chunk.text)
            if found == NO and asked and any(restates(asked, c.text) for c in ordered if c.piece == 0):
                return YES  # "No, I'm still calling for those things": the "No" answers the host, the rest the question
            if found == NO and asked and gives_figure_stated(asked, [c.text for c in reply]):
                break  # "33吉瓦?" against "不,完全不是。…我們擁有 33 吉瓦": the "no" answered the host, not the figure
            if found and asked and asks_the_opposite(asked, chunk.question):
                return NO if found == YES else YES  # "基本不可能?" against "I'm pretty certain that you will be."
            if found:
                return found
    if claim is not None:
        # A claim put in the question's own words ("did he say superintelligence is already here?") is not borne
        # out by his words without its absolute or with another of its kind; quoted words may be a loose rendering.
        loose = claim_quoted or not not_borne_out(claim, evidence, quoted or evidence)
        if negates(evidence) != asks_a_denial(claim) or not loose or set_right(claim, evidence):
            return NO
        # …nor by a reply setting aside what it says he did ("rather than… distillation" for "did he say they
        # distilled…?"), unless the claim itself sets something aside ("a team, rather than individuals")
        return NO if rejects(claim, [c.text for c in reply]) and not sets_aside(claim) else YES
    # the evidence denies what is asked, or what is asked is a denial the evidence doesn't make ("won't keep building
    # it until it's safe?" against "we won't continue to develop a system that can run away from us")
    if negates(evidence) != asks_a_denial(question) \
            or not_borne_out(question, evidence, quoted or evidence) or set_right(question, evidence):
        return NO
    return NO if question and rejects(question, [c.text for c in reply]) else YES


# How an answer's first line states its verdict ("Yes — …", "No, …", "はい。", "いいえ、", "是，", "不是 — ").
_STATED_NO = re.compile(r"^\W*(?:no\b|いいえ|不是|不|否|沒有|没有)", re.I)
_STATED_YES = re.compile(r"^\W*(?:yes\b|はい|是|對|对|有)", re.I)


def stated_verdict(line: str) -> str | None:
    """The verdict an answer's first line opens with (a model's answer, told to lead with it), else None."""
    if _STATED_NO.match(line):
        return NO
    if _STATED_YES.match(line):
        return YES
    return None
