"""What kind of answer a question wants, in three languages: a verdict, a figure, a date, a comparison of
the two interviews, whose words these are, or an open answer.

Rules on the question's own wording (no model): auxiliary-verb openings and 嗎/吗/か endings ask yes or
no; "how many / how much / 多少 / いくら" ask a figure; "when / 什麼時候 / いつ" a date; "compare / both
interviews / 兩次訪談 / 比べ" a comparison. Open question words win over a yes/no ending ("什麼…嗎" is open).
"""

from __future__ import annotations

import re
import unicodedata

from ingest.text import CJK_CHAR, detect_lang

WHO_SAID = "who_said"
YES_NO = "yes_no"
NUMBER = "number"
DATE = "date"
COMPARE = "compare"
OPEN = "open"
KINDS = (WHO_SAID, YES_NO, NUMBER, DATE, COMPARE, OPEN)

# A comparison across the interviews. Naming both interviews (or both outlets) asks for both sides, compared or
# not ("兩次訪談怎麼說？"); naming one interview ("each interview", "the interview") needs a comparing word
# too; "比べて" alone ("cheaper compared with GB200?") compares something else.
_COMPARE_WORDS = re.compile(
    r"\bcompar(e|ed|es|ing|ison)\b|\bdiffer(s|ence|ences|ent)?\b|\bversus\b|\bvs\.?|\bboth\b|\beach\b|\bsame\b|"
    r"比べ|比較|違い|違う|それぞれ|両|比较|異同|异同|不同|分別|分别|一樣|一样", re.I)
_BOTH_INTERVIEWS = re.compile(
    r"\binterviews\b|\b(both|two) (interview|conversation|outlet|podcast)s?\b|"
    r"\b(bloomberg|decoder|verge)\b.*\b(bloomberg|decoder|verge)\b|"
    r"(両|2つの|二つの|両方の)(インタビュー|対談)|ブルームバーグ.*(Decoder|ヴァージ|デコーダー)|(Decoder|ヴァージ|デコーダー).*ブルームバーグ|"
    r"(兩次|两次|兩個|两个|兩場|两场|兩篇|两篇)(訪談|访谈|采訪|采访|節目|节目)|彭博.*(Decoder|Verge)|(Decoder|Verge).*彭博|"
    # which of the interviews it came up in: each interview's section says whether it did
    r"\bwhich (of the )?(interview|conversation|podcast)s?\b|どちらの(インタビュー|対談)|哪(一)?(次|個|个|場|场|篇)(訪談|访谈|采訪|采访)",
    re.I)
_ONE_INTERVIEW = re.compile(r"\b(each|either|the) (interview|conversation|outlet|podcast)s?\b|それぞれの(インタビュー|対談)", re.I)


def names_both_interviews(question: str) -> bool:
    """The question asks about both interviews ("in both interviews", "兩次訪談", "どちらのインタビュー")."""
    return bool(_BOTH_INTERVIEWS.search(unicodedata.normalize("NFKC", question)))


def _compares(question: str) -> bool:
    return names_both_interviews(question) or (
        bool(_ONE_INTERVIEW.search(question)) and bool(_COMPARE_WORDS.search(question)))


# Japanese counters after 何 ("何種類", "何カ国") and Chinese measure words after 幾/几 ("幾種", "几家"): a count.
JA_COUNTERS = r"(?:人|台|個|社|名|回|件|本|冊|枚|ページ|頁|種類|種|機|基|店|校|か所|カ所|ヶ所|箇所|か国|カ国|ヶ国|世代|段階|言語|曲)"
ZH_MEASURES = r"(?:個|个|人|家|台|名|次|位|種|种|款|項|项|條|条|座|國|国|所|頁|页|份|篇|張|张)"

# "いつ" asks when; "いつも" (always), "いつでも" (any time), "いつか" (some day) don't.
JA_WHEN = r"いつ(?!も|でも|か(?!ら))"
# "どの" asks which; "などの" (such as) and "ほとんどの" (most) don't.
JA_WHICH = r"(?<!な)(?<!ほとん)どの"

# Japanese asking for a span of years ("あと何年", "何年くらい"), not for which year.
JA_SPAN_OF_YEARS = r"何年続|何年(?:くらい|ぐらい|ほど|も|か(?:か|け))|あと何年|何年の(?:歴史|経験)|(?:創業|設立|創立)(?:して|から)何年"

_NUMBER = re.compile(
    r"\bhow (many|much)\b|\bwhat (percentage|percent|share|fraction|proportion|number|amount|figure|price)\b|\bwhat\s*%|"
    r"\bwhat (?:[\w-]+ ){0,2}(?:score|figure|revenue|valuation)s?\b|"  # "what score…", "what annual revenue figure…"
    # "What was the reported price…?", "what's MAI-Thinking-1's score on AIME", "give me the figure for…"
    r"^\s*what(?:['’]s|\s+is|\s+was|\s+were|\s+are)\s+(?:[\w'’.-]+\s+){0,3}?(?:price|cost|score|figure|amount|percentage)s?\b|"
    r"\b(?:give|tell) me (?:the )?(?:figure|number|amount|price|percentage|score)s?\b|"
    r"\bhow (big|large|long|far|fast|cheap|expensive|often|old)\b|\bby how much\b|\bat what age\b|"
    r"\b(?:score|price|cost|revenue|valuation|percentage|market share)\s*\?\s*$|"  # "MAI-Thinking-1 AIME score?"
    rf"いくら(?!か)|いくつ|何位|何人|何台|何個|何倍|何%|何％|何パーセント|何割|何ドル|何億|何万|(?<!月)何日(?!に|から|まで)|何週|何か月|何ヶ月|何分|何歳|{JA_SPAN_OF_YEARS}|何年間|どのくらい|どれくらい|どれだけ|"
    rf"何(?=[ァ-ヴ][ァ-ヴー]+)|何{JA_COUNTERS}|何(?:度|倍|時間)|"
    # a quantity named and asked with a bare "は?" ("…利用している人の割合は?", "参加人数は？")
    r"(?:割合|比率|比例|人数|件数|台数|金額|総額|額|期間|年数|規模|数)(?:は|って)\s*[?？]\s*$|"
    rf"(?<!哪)[幾几]{ZH_MEASURES}|[幾几](?:吉瓦|兆瓦|千瓦|美元|個百分點|个百分点)|"
    r"多少|第[幾几](?:名|位)?|[幾几]名|幾成|几成|幾倍|几倍|有[幾几]年|[幾几]年了|[幾几]年(?:的)?(?:時間|时间)|百分之幾|百分之几|多大|多長|多长|多久|幾週|几周|幾分鐘|几分钟|幾天|几天|[幾几][%％]|幾歲|几岁|幾岁|几歲", re.I)
_DATE = re.compile(
    r"\bwhen\b|\bwhat (year|month|date|day)\b|\bwhich year\b|\bsince when\b|\bby when\b|\bhow long ago\b|"
    r"\b(?:over|in|during|within)\s+what\s+(?:\w+\s+)?(?:period|time\s?frame|time span)\b|"
    rf"{JA_WHEN}|何年|何月|何日に|"
    r"什麼時候|什么时候|何時|何时|哪一年|哪年|幾年|几年|幾月|几月|哪一?天", re.I)
_YES_NO_EN = re.compile(
    r"^\s*(?:so\s+|and\s+|but\s+)?any\s+chance\b|"  # "Any chance Microsoft stops working with OpenAI?"
    # after a leading phrase set off by a comma too: "According to Suleyman, are most of…?", "In his view, is…?"
    r"^\s*(?:(?:according to|in|on|at|as for|as far as|from|for|by|with|after|since)\b[^,?]{1,60},\s*)?"
    r"(so\s+|and\s+|but\s+|then\s+|ok(ay)?,?\s+)?(is|are|was|were|do|does|did|has|have|had|will|would|can|could|"
    r"should|shall|may|might|must|isn't|aren't|wasn't|doesn't|don't|didn't|hasn't|haven't|won't|wouldn't|can't|"
    r"couldn't)\b", re.I)
# "So Microsoft won't ship it until…?": a statement put as a question (an auxiliary after its subject, no
# question word anywhere) asks yes or no too.
# ("So he's actually in favor of…?", "Suleyman said he wrote it a couple of years ago?": a contraction, or the guest
# said or thinks so, put as a question)
_DECLARATIVE_YES_NO_EN = re.compile(
    r"^(?!.*\b(what|how|why|which|where|when|who|whom|whose)\b)(?=.*\b(is|are|was|were|do|does|did|has|have|had|will|"
    r"would|can|could|should|isn't|aren't|wasn't|doesn't|don't|didn't|hasn't|haven't|won't|wouldn't|can't|couldn't)\b|"
    r"\s*(?:so\s+|and\s+|but\s+)?(?:he|she|it|they|(?:mustafa\s+)?suleyman|microsoft)(?:['’](?:s|re|d|ll)\b|\s+(?:said|says|"
    r"thinks|thought|believes|believed|claimed|claims|admitted|admits|reckons|feels|felt|calls|called|considers|"
    r"sees|describes|described|wants|wanted|plans|expects|expected)\b))"
    r".*\?\s*$", re.I | re.S)
# A statement with a tag ("…, right?", "…, didn't he?", "… — is that right?") asks yes or no, whatever relative
# clause it holds ("a family whose parents…, right?").
TAG_QUESTION_EN = (r"(?:,|—|-|–)\s*(?:right|correct|true|no|is that (?:right|correct|true|so)|isn't (?:it|that (?:right|so))|"
                   r"didn't he|did he|doesn't he|does he|hasn't he|wasn't it|wasn't he|isn't he|is he)\s*\?\s*$")
# A question led by a clause of its own ("When Nilay read back the quote, did he insist…?"): what it asks is after
# the comma, and the clause's "when" asks no date.
# (Typed without the comma, the main clause's auxiliary and subject mark where it starts: "when nilay read him the
# quote did suleyman insist…"; "When did he…" asks when.)
_AUX_EN = r"(?:is|are|was|were|do|does|did|has|have|had|will|would|can|could|should)"
_LEADING_CLAUSE_EN = re.compile(
    rf"^\s*(?:when|while|after|before|if|once|since|whenever|asked)\s+(?!{_AUX_EN}\b)(?:[^,?]{{1,100}},\s*(?=(?:so\s+|and\s+|"
    rf"but\s+)?(?:{_AUX_EN}|what|how|why|which|who|where)\b|[^?]*{TAG_QUESTION_EN})|[^,?]{{1,100}}?(?<!\bwhat)(?<!\bhow)(?<!\bwhy)(?<!\bwhich)(?<!\bwhere)(?<!\bwho)\s"
    rf"(?={_AUX_EN}\s+(?:he|suleyman|mustafa)\b))", re.I)
_TAG_QUESTION_EN = re.compile(rf"^(?!\s*(?:what|how|why|which|where|when|who|whom|whose)\b).*{TAG_QUESTION_EN}", re.I | re.S)


_AFTERWORD = re.compile(r"(?<=[?？])\s*[(（][^()（）]*[)）]\s*$")


def without_leading_clause(question: str) -> str:
    """The question after a leading clause of its own ("When X, did he…?" -> "did he…?")."""
    return _LEADING_CLAUSE_EN.sub("", question)


# 何 asks, except in "何の…も…ない" / "何も" (nothing at all: "何の恩恵も受けていない").
# なん asks ("なんで", "なんと", "理由はなんですか"), but not as the explanatory の after a word ("予定なんでしたっけ",
# "懸念があったからなんですよね").
_OPEN_JA = re.compile(rf"何(?!も|の[^、。？?]{{0,12}}?も)|なに|(?:^|(?<=[はがをも、\s])|(?<=って))なん|なん(?!です|でした|でしょ|だ)|どう|なぜ|どうして|{JA_WHEN}|どこ|誰|だれ|{JA_WHICH}|どれ|どんな|いくら|いくつ")
_YES_NO_JA = re.compile(r"(か|の|でしょう|ますか|ですか|んですか|だった|てる|ている|いる)\s*[？?。]?\s*$|ですか|ましたか|ますか")
_OPEN_ZH = re.compile(r"(?<![没沒])什麼|(?<![没沒])什么|怎麼|怎么|為什麼|为什么|為何|为何|如何|哪(?!怕)|誰|谁|多少|幾|几|何時|何时|甚麼")  # 哪怕: "even if"
# Chinese asks yes or no with 嗎, with "X不X" / "X沒X" (支不支持, 認不認為, 有沒有), with a tag ("…，對吧？") or 難道.
_YES_NO_ZH = re.compile(r"[嗎吗]\s*[？?。]?\s*$|([\u4e00-\u9fff])[不沒没]\1|是否|可不可以|還是不|还是不|難道|难道|"
                        r"[，,]\s*(?:對|对|是|好)[吧嗎吗]\s*[？?]?\s*$|吧\s*[？?]\s*$|"
                        # a view or a saying put as a statement with a question mark: "他認為監管有必要？", "他说聊天机器人
                        #花了十年才做到每年20亿用户?" (not "A還是B", "多遠")
                        r"(?:認為|认为|覺得|觉得|相信|同意|支持|反對|反对|擔心|担心|(?:說|说|講|讲)(?!的)|表示|提到|"
                        r"承認|承认|否認|否认|堅持|坚持|主張|主张|預測|预测|強調|强调|透露|聲稱|声称)"
                        r"(?![^？?。]*(?:還是|还是|多[遠远久大快長长高]))"
                        r"[^？?。]*[？?]\s*$|"
                        # something done, put as a statement with a question mark: "MAI-Thinking-1在AIME上拿了97%?"
                        r"[了過过][^？?。，,]{0,20}[？?]\s*$")


# A question about the guest's own view or words ("What did he think of…", "どう評価", "怎麼看"), not a fact: an
# outlet's note can't answer it. And a why-question wants his reasons, which a note doesn't give.
_ASKS_VIEW = re.compile(
    r"\b(say|says|said|think|thinks|thought|feel|feels|felt|view|views|opinion|take on|criticiz\w*|criticis\w*|"
    r"make of|describe\w*|react\w*|respond\w*)\b|どう(?:評価|思|考え|見|感じ)|意見|見解|評価|何と言|"
    r"怎麼看|怎么看|看法|認為|认为|評價|评价|觀點|观点|怎麼說|怎么说|批評|批评", re.I)
_ASKS_WHY = re.compile(r"\bwhy\b|\bhow come\b|なぜ|どうして|為什麼|为什么|為何|为何", re.I)


# A question about the page's own notes or pictures ("What does the caption say…") asks about the outlet's words.
_ABOUT_NOTES = re.compile(r"\b(?:caption|photo|picture|image|footnote|note|editor)s?\b|写真|画像|キャプション|注記|脚注|"
                          r"圖片|图片|照片|註|注释|注釋|圖說|图说", re.I)


def asks_view(question: str) -> bool:
    return bool(_ASKS_VIEW.search(question)) and not _ABOUT_NOTES.search(question)


def asks_why(question: str) -> bool:
    return bool(_ASKS_WHY.search(question))


# "幾週前" in a yes/no question is "a few weeks ago" ("直到幾週前，微軟是否被禁止…？"), not "how many weeks".
_FEW_AGO_ZH = re.compile(r"[幾几](?:個|个)?(?:週|周|天|年|月|星期|禮拜|礼拜)前")


_QUITE_A_FEW = re.compile(r"好[幾几]")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9.-]*")


def _question_lang(question: str) -> str:
    """The language a question is asked in: as detect_lang reads it, but Latin names inside a Japanese or Chinese
    question count as words, not letters ("MAI-Thinking-1在AIME上拿了97%?" is Chinese)."""
    lang = detect_lang(question)
    if lang == "en" and len(CJK_CHAR.findall(question)) >= max(1, len(_LATIN_WORD.findall(question))):
        return detect_lang(_LATIN_WORD.sub(" ", question))
    return lang


_OTHER_QUESTION_WORD_EN = re.compile(
    r"^\s*(?:(?:according to|in|on|at|as for|from|for|by|with|after)\b[^,?]{1,60},\s*)?"
    r"(?:how(?! long ago)|what(?! (?:year|month|date|day)\b)|which(?! year\b)|who|whom|whose|where)\b", re.I)
_WHEN_CLAUSE_EN = re.compile(r"(?<!\buntil )(?<!\bsince )(?<!\bby )\bwhen\b", re.I)
# …and in a yes/no question ("Was he serious when he said…?"), unless what is asked is whether he told when ("Did
# he say when it ships?")
_TELLS_WHEN_EN = re.compile(r"\b(?:say|said|says|mention|mentioned|know|knows|tell|told|explain|explained|reveal|"
                            r"revealed|specify|specified|indicate|indicated|give|gave|disclose|disclosed)\b"
                            r"(?:\s+(?:us|them|her|him|anyone|exactly))?\s+when\b", re.I)


def question_kind(question: str, attribution: bool = False) -> str:
    """One of KINDS for a question (`attribution`: the question asks whether the guest said some words). Read in
    NFKC: full-width "Ｈｏｗ ｍａｎｙ" asks for a number as "How many" does."""
    # (a note after the question mark, "…の規模は?(ブルームバーグでの発言)", says where, not what is asked)
    question = _AFTERWORD.sub("", without_leading_clause(unicodedata.normalize("NFKC", question)))
    question = _QUITE_A_FEW.sub("好多", question)  # "好几年": quite a few years, no figure asked
    if attribution:
        return WHO_SAID
    if _YES_NO_ZH.search(question):
        question = _FEW_AGO_ZH.sub("，", question)
    if _compares(question):
        return COMPARE
    if _NUMBER.search(question):
        return NUMBER
    # (a "when" inside a why-question is no date asked: "Why didn't they… when they trained it?"; nor after another
    # question word, where it says on what occasion: "How did he reply when she asked…?", "What pay did he get
    # when he joined?")
    when_is_a_clause = _OTHER_QUESTION_WORD_EN.search(question) or (
        _YES_NO_EN.search(question) and not _TELLS_WHEN_EN.search(question))
    if _DATE.search(_WHEN_CLAUSE_EN.sub(" ", question) if when_is_a_clause else question) \
            and not (asks_why(question) and not re.match(r"\s*when\b", question, re.I)):
        return DATE
    lang = _question_lang(question)
    if lang == "en":
        return YES_NO if _YES_NO_EN.search(question) or _DECLARATIVE_YES_NO_EN.search(question) \
            or _TAG_QUESTION_EN.search(question) else OPEN
    if lang == "ja":
        return YES_NO if (_YES_NO_JA.search(question) or re.search(r"[^は][？?]\s*$", question)) and not _OPEN_JA.search(question) else OPEN
    return YES_NO if _YES_NO_ZH.search(question) and not _OPEN_ZH.search(question) else OPEN
