"""The answer says the answer first: a verdict for yes/no and who-said questions, the figure or date for
how-much / when questions, one section per interview for compare questions; at most three quotes, each a
complete thought, all verbatim; the same shape in the --json contract."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from interview_qa.cli import cli
from rag.answers.figure import (AMOUNT, COUNT, FIGURE, MONEY, SHARE, SPAN, asked_unit, asks_day, asks_future, find_figure,
                                is_past, names_counted, names_no_day, sums_another, units_of)
from rag.answers.verdict import opening_polarity, replaces, said_in_jest
from rag.extractive import MAX_QUOTES, asks_attribution, best_window, compose
from rag.kinds import COMPARE, DATE, NUMBER, OPEN, WHO_SAID, YES_NO, question_kind
from rag.lexical import tokenize

VERDICT_OPENINGS = ("Yes — ", "No — ", "はい — ", "いいえ — ", "是 — ", "不是 — ")


@pytest.fixture(scope="module")
def service(indexed_service):
    return indexed_service


def assert_verbatim(service, answer):
    from rag.answers.comparison import QUOTES_PER_SIDE

    # at most MAX_QUOTES, or a comparison's quotes for each side
    assert len(answer.citations) <= (QUOTES_PER_SIDE * len(answer.sections) if answer.sections else MAX_QUOTES)
    for c in answer.citations:
        assert c.quote in service.index.by_id[c.chunk_id].text


# --- pieces ---

@pytest.mark.parametrize("question, kind", [
    # Latin names inside a Chinese question; 好几 (quite a few); a rank; a fragment asking a score
    ("MAI-Thinking-1在AIME上拿了97%?", "yes_no"),
    ("他们在试 looped transformer 吗?", "yes_no"),
    ("他和弟弟真的自己生活过好几年?", "yes_no"),
    ("MAIの画像モデルって今ランキング何位?", "number"),
    ("MAI-Thinking-1 AIME score?", "number"),
    ("He calls himself far left these days?", "yes_no"),
    ("What does 涌现 mean?", "open"),
    ("Why didn't Microsoft distill other models when it trained MAI-Thinking-1?", "open"),  # a when inside a why
    ("When was Suleyman put on leave at Google, and why?", "date"),
    ("ボストンでのチーム合宿は何月何日に始まる?", "date"),  # 何月何日: a date, not how many days
    ("合宿は何日間ですか?", "number"),
    # なん as the explanatory の after a word asks nothing; 没什么 (not much) asks nothing; "Asked what…, did he…?"
    ("OpenAIとの提携って、2030年より前に終わる予定なんでしたっけ?", "yes_no"),
    ("蒸留を使わなかったのは、法的な懸念があったからなんですよね?", "yes_no"),
    ("なんでそう思うの?", "open"),
    ("彼はなんと言った?", "open"),
    ("他是不是认为“奇点”这类说法对大家没什么帮助?", "yes_no"),
    ("Asked what he'd texted Demis about, did he say he congratulated him?", "yes_no"),
    ("What % of the S&P 500 use Microsoft for email?", "number"),
    ("那份技術報告有幾頁啊?", "number"),
    ("微软在那次大会上发布了七个模型?", "yes_no"),  # something done, put as a statement
    ("他提到了什么?", "open"),
    # statements put as questions: a contraction, "Suleyman said…?", 承认 (admits)
    ("So he's actually in favor of something like a universal basic income?", "yes_no"),
    ("Suleyman said he wrote his humanist superintelligence essay a couple of years ago?", "yes_no"),
    ("被问到FT那句话时,他承认自己说的是工作会在18个月内被取代?", "yes_no"),
    ("So he's the one who leads what?", "open"),
    ("Is the partnership with OpenAI over?", YES_NO),
    ("Does he think AI needs regulation right now?", YES_NO),
    ("OpenAIとの提携は終わったのですか？", YES_NO),
    ("他覺得AI需要監管嗎？", YES_NO),
    ("他支不支持全民基本收入？", YES_NO),  # X不X asks yes or no
    ("他覺得AI有意識，對吧？", YES_NO),  # a tag question
    ("微軟難道沒有蒸餾OpenAI的模型？", YES_NO),
    ("スレイマンはUBIを支持しているのでしょうか。", YES_NO),  # a full stop, not a question mark
    ("他為什麼支不支持都不說？", OPEN),  # an open question word still wins
    ("So Microsoft won't ship a superintelligence until it can be controlled?", YES_NO),
    ("And Microsoft thinks it can wait until it is safe, who decides?", OPEN),
    ("How much did Google pay for DeepMind?", NUMBER),
    ("微软拥有多少吉瓦的计算能力？", NUMBER),
    ("マイクロソフトは何台のGPUを持っていますか？", NUMBER),
    ("マイクロソフトは何ギガワットの計算能力を持っていますか？", NUMBER),  # 何 + a unit in katakana
    ("技術報告は何ページありましたか？", NUMBER),
    ("Foundry には何種類のモデルがありますか？", NUMBER),  # a Japanese counter
    ("Copilot は何カ国で使われていますか？", NUMBER),
    ("微軟有幾種模型？", NUMBER),  # a Chinese measure word
    ("他认为哪几种能力会让风险升高？", OPEN),  # 哪几种 asks which kinds, not how many
    ("あと何年くらいかかると見ている？", NUMBER),  # how many years: a span, not "which year"
    ("DeepMindは何年に設立された？", DATE),
    ("何かコメントはありますか？", OPEN),  # 何か is "anything", not a count
    ("When was DeepMind founded?", DATE),
    ("What score did MAI-Thinking-1 get on AIME?", NUMBER),
    ("What annual revenue figure did Suleyman give for Microsoft?", NUMBER),
    ("DeepMind是哪一年創立的？", DATE),
    ("Over what period did coding models catch up?", DATE),
    ("Compare what he said about jobs on Decoder and at Bloomberg", COMPARE),
    ("兩次訪談中他對工作的看法有什麼不同？", COMPARE),
    ("他對 AI 助理的角色，兩次訪談怎麼說？", COMPARE),
    ("What does he say about jobs in both interviews?", COMPARE),
    ("What did he say about jobs in the Bloomberg interview?", OPEN),
    ("What did he say about distillation?", OPEN),
    ("為什麼他不用蒸餾？", OPEN),
    ("Any chance Microsoft stops working with OpenAI before 2030?", YES_NO),
    ("他認為監管有必要？", YES_NO),  # a view put as a statement with a question mark
    ("他覺得政府給新科技訂規矩，到底是好事還是壞事？", OPEN),  # A or B
    ("蘇萊曼覺得超級智能離我們還有多遠？", OPEN),  # how far
    ("直到几周前，微软是否在合同上被禁止独立研发AGI或超级智能？", YES_NO),  # 几周前: a few weeks ago
    ("他是幾年前創辦 DeepMind 的？", DATE),  # no yes/no marker: how many years ago
    ("消費者は AI チャットボットからほとんど何の恩恵も受けていないと考えていますか？", YES_NO),  # 何の…も: none at all
    ("彼は何も言わなかったのですか？", YES_NO),
    ("他認為哪怕只改善10%，也很重要嗎？", YES_NO),  # 哪怕: "even if", no question word
    ("微软和OpenAI的合作关系到现在已经有几年了？", NUMBER),  # 有几年了: how many years, a span
    ("DeepMind是幾年創立的？", DATE),
    ("メイヨー・クリニックの患者のうち、メディケイドを利用している人の割合は?", NUMBER),  # a quantity and a bare "は?"
    ("彼の意見は？", OPEN),
    ("彼はいつも法律分野を例に挙げますか？", YES_NO),  # いつも: always, not when
    ("いつか超知能は来ると考えていますか？", YES_NO),  # いつか: some day
    ("DeepMindはいつから始まった？", DATE),  # いつから: since when
    ("医療などの分野でAIは役立つと考えていますか？", YES_NO),  # などの: such as, not which
    ("機械がほとんどの仕事で人間を上回ると考えている?", YES_NO),  # ほとんどの: most, not which
    ("彼はどの会社を評価している?", OPEN),
    # a saying put as a statement with a question mark asks yes or no; "他说的X是指?" is open
    ("他说聊天机器人花了十年才做到每年20亿用户?", YES_NO),
    ("蘇萊曼在 The Verge 說,微軟和 OpenAI 的合作在 2030 年之前就會結束?", YES_NO),
    ("他说的AGI是指?", OPEN),
    ("他說了什麼?", OPEN),
    # a leading clause of its own ("When X, did he…?") asks no date; a tag ("…, right?") asks yes or no
    ("When Nilay read back the quote, did Suleyman insist he'd said tasks?", YES_NO),
    ("When did he join Microsoft, and why?", DATE),
    ("Suleyman said he grew up in a family whose parents pushed him toward university, right?", YES_NO),
    ("He said the agent completes purchases without asking, didn't he?", YES_NO),
    ("What did he say about jobs, right?", OPEN),
    ("when nilay read him the quote did suleyman insist he had said tasks", YES_NO),  # no comma
    ("When he joined Microsoft, what did he do?", OPEN),
    ("When he told her she had six months left, he meant it seriously, right?", YES_NO),  # a clause, then a tag
    ("when he joined microsoft what did he do", DATE),
    # a "when" after another question word says on what occasion, no date asked; "until when" asks one
    ("How did his parents feel about school when he was young?", OPEN),
    ("What did he earn when he joined Microsoft?", OPEN),
    ("Which films did he log in Copilot when he watched them?", OPEN),
    ("How was the work split under the deal, and until when?", DATE),
    # a price, score or figure asked in other words; a span of years as a company's age; 幾 + a unit
    ("What was the reported price Google paid for DeepMind?", NUMBER),
    ("what's MAI-Thinking-1's score on AIME", NUMBER),
    ("give me the figure for the data center commitments OpenAI has signed", NUMBER),
    ("What was the point of it?", OPEN),
    ("マイクロソフトは何年の歴史がある会社だって言ってた?", NUMBER),
    ("Microsoft は創業から何年の会社ですか?", NUMBER),
    ("扎克伯格正在建的那個數據中心是幾吉瓦?", NUMBER),
    ("有人主张花几亿美元做播客,苏莱曼同意吗?", OPEN),  # 几亿: several hundred million, no figure asked
    ("コミットメントの規模は?(ブルームバーグのインタビューでの発言)", NUMBER),  # a note after the question mark
    ("According to Suleyman, are most of Mayo Clinic's patients wealthy elites who fly in for care?", YES_NO),
    ("In his view, is regulation needed?", YES_NO),  # a leading phrase set off by a comma
    ("According to Suleyman, what is AGI?", OPEN),
    # typed with full-width Latin letters (a Japanese or Chinese keyboard): read as their ASCII selves
    ("Ｈｏｗ ｍａｎｙ ｇｉｇａｗａｔｔｓ ｄｏｅｓ Ｍｉｃｒｏｓｏｆｔ ｈａｖｅ？", NUMBER),
    ("Ｄｏｅｓ ｈｅ ｔｈｉｎｋ ｒｅｇｕｌａｔｉｏｎ ｉｓ ｎｅｃｅｓｓａｒｙ？", YES_NO),
    # a "when" inside a yes/no question says on what occasion, unless it asks whether he told when
    ("Was Suleyman serious when he said the host had six months left?", YES_NO),
    ("Did he push back when the host said the value exchange isn't clear?", YES_NO),
    ("Did he say when MAI-Thinking-1 ships?", DATE),
    ("Did Suleyman mention exactly when the team meets in Boston?", DATE),
    ("卫报的报道是哪一天发表的？", DATE),
])
def test_question_kinds(question, kind):
    assert question_kind(question) == kind


def test_who_said_kind_comes_from_the_attribution_check():
    assert question_kind("Did he say X?", attribution=True) == WHO_SAID


@pytest.mark.parametrize("question", [
    "Does he talk about AI getting cheaper in both interviews?",  # "does he talk about" is not "did he say"
    "In which interview does he talk about his father?",
    "彼の家族については、どちらのインタビューで語られていますか？",
    "他在哪一次訪談裡談到他的父親？",
])
def test_a_question_about_both_interviews_is_a_comparison_not_a_who_said(question):
    assert not asks_attribution(question)
    assert question_kind(question, asks_attribution(question)) == COMPARE


@pytest.mark.parametrize("text, polarity", [
    ("Definitely not. No, not at all.", "no"),
    ("Yeah, I think that’s right. Containment and alignment are prerequisites.", "yes"),
    ("I haven’t, no.", "no"),
    ("いいえ、そうではありません。", "no"),
    ("當然不是。", "no"),
    ("是的，我們正在這麼做。", "yes"),
    ("Superintelligence in the industry today means an AI system.", None),
    ("對,沒錯。", "yes"),
    ("對于人們來說,這套體系很復雜,難以理解。", None),  # 對於 is "regarding", not "right"
    ("对方说了什么？", None),
    # openings that only look negative or positive
    ("Not only that, we built it.", None),
    ("No doubt about it.", "yes"),
    ("全くその通りです。", "yes"),
    ("全くありません。", "no"),
    ("I am not sure that's right.", None),
    ("We did not.", "no"),
    # a spoken filler before the marker: the marker still opens the answer
    ("I mean, obviously I didn’t say it was here.", "no"),
    ("Well, yes, we did.", "yes"),
    ("Look, I mean, the reality is that we are in partnership.", None),
    ("Obviously.", None),
])
def test_opening_polarity(text, polarity):
    assert opening_polarity(text) == polarity


def test_figures_are_taken_verbatim_with_their_unit():
    text = "For Microsoft, fortunately, we have 33 gigawatts of compute. We build data centers."
    span, figure = find_figure(text, set(tokenize("how many gigawatts of compute")))
    assert figure == "33 gigawatts" and figure in text[span[0]:span[1]]
    zh = "對微軟來說幸運的是,我們擁有 33 吉瓦的計算能力。我們的主要業務是建設數據中心。"
    assert find_figure(zh, set(tokenize("多少吉瓦")))[1] == "33 吉瓦"
    assert find_figure("We met in November 2025 in Boston.", set(), date=True)[1] == "November 2025"
    assert find_figure("No figures here at all.", set()) is None
    # "-fold" is a ratio, as "x" and 倍 are: it answers "幾倍"
    fold_text = "Over 15 years we've seen a trillion-fold increase in compute."
    assert find_figure(fold_text, set(), question="算力增加了幾倍?", unit=asked_unit("算力增加了幾倍?"))[1] == "trillion-fold"


def test_a_footnotes_own_number_is_not_a_figure():
    note = "3 It will be interesting to see if this comes up against commercial imperatives."
    assert find_figure(note, {"interest"}, footnote=True) is None
    assert find_figure(note, {"interest"})[1] == "3"  # what it would be taken for
    glued = "11自 2022 年以來,中國推出了一系列人工智能法規。"
    assert find_figure(glued, set(), date=True, footnote=True)[1].startswith("2022")
    assert find_figure("12 Gemini 3 outperforms ChatGPT on 9 of 10 benchmarks.", set(), footnote=True)[1] != "12"


def test_a_figure_the_question_states_is_not_its_answer():
    text = "Our Maia 200 chip is an outstanding chip. It is 30 percent cheaper than a GB200."
    q = "How much cheaper is the Maia 200 than a GB200?"
    assert find_figure(text, set(tokenize(q)), question=q)[1] == "30 percent"
    zh = "智能家居和聊天機器人是歷史上傳播速度最快的技術——短短三年內,年用戶量就達到了20億。"
    q = "聊天機器人在三年內累積了多少年度使用者？"
    assert find_figure(zh, set(tokenize(q)), question=q)[1] == "20億"
    # stated in the other Han script: "两年" asked, "兩年" in the passage
    zh = "現在向世界上最好的AI模型之一提問的成本比兩年前降低了90%。"
    q = "现在向世界上最好的AI模型之一提问，成本比两年前降低了多少？"
    assert find_figure(zh, set(tokenize(q)), question=q)[1] == "90%"
    # When the passage's only figure is the one asked about, it is still shown.
    assert find_figure("The Maia 200 chip is ours.", set(), question="Is the Maia 200 chip theirs?")[1] == "200 chip"


def test_dates_in_words_and_the_year_asked_for():
    q = "Until which year does the partnership run?"
    text = "It's been the plan for the last 18 months. We're running way north of 2030."
    assert find_figure(text, set(tokenize(q)), date=True, question=q)[1] == "2030"
    assert find_figure("I wrote an essay four or five months ago.", set(), date=True)[1] == "four or five months ago"
    assert find_figure("We meet in Boston the week after next.", set(), date=True)[1] == "the week after next"
    assert find_figure("毎日何億人もの人々が使っています。", set())[1] == "何億人"


def test_a_span_in_the_unit_of_time_asked_for_answers_before_one_in_another():
    from rag.answers.figure import SPAN, asked_time_unit, in_time_unit

    text = "Our planning cycle runs for eight weeks. Over two or three years we will build it."
    q = "How many years does the planning cycle run?"
    assert find_figure(text, set(tokenize(q)), question=q, unit=SPAN)[1] == "two or three years"
    q = "How long does the planning cycle run?"  # no unit named: the best sentence's span
    assert find_figure(text, set(tokenize(q)), question=q, unit=SPAN)[1] == "eight weeks"
    assert asked_time_unit("「偉大な研究所」を築くまでに、あと何年くらいかかると見ている？") == "year"
    assert asked_time_unit("下一個工作週期要跑幾週？") == "week"
    assert asked_time_unit("DeepMindは何年に設立された？") is None  # which year, not how many
    assert in_time_unit("2〜3年", "year") and not in_time_unit("2019年", "year") and not in_time_unit("eight weeks", "year")


def test_of_the_quoted_figures_the_span_in_the_unit_asked_for_leads(service):
    a = service.ask("微软和OpenAI的合作关系到现在已经有几年了？")  # the lead passage's figure is "幾周"
    assert a.kind == "number" and a.figure == "five or six years", a.answer


@pytest.mark.parametrize("depth, years", [(3, True), (8, False)])
def test_a_span_in_the_unit_asked_may_come_from_just_below_the_quoted_passages(service, depth, years):
    from dataclasses import replace

    question = "あと何年くらいで偉大な研究所を築けると見ていますか？"
    eight_weeks = service.index.passage_of("verge-decoder-2026-06-08:en:t020")  # the next cycle: eight weeks
    two_or_three_years = service.index.passage_of("verge-decoder-2026-06-08:en:t036")  # "the next two or three years"
    others = [p for p in service.index.search(service.index.parse(question), None, 30)
              if p.key not in (eight_weeks.key, two_or_three_years.key)
              and not any("年" in c.text or "year" in c.text for c in p.members.values())][:depth - 1]  # no spans
    # the lead, far above the rest (nothing else is quoted), then the passage with the years `depth`-th
    ranked = [replace(eight_weeks, score=100.0)] + [replace(p, score=1.0) for p in others] + \
        [replace(two_or_three_years, score=0.5)]
    draft = compose(question, "ja", ranked, service.manifests(), True, query=question, kind="number")
    assert ("年" in draft.figure) is years, draft.figure  # within FIGURE_DEPTH (6) the years; beyond, the weeks

@pytest.mark.parametrize("question, below, figure", [
    ("When did he say he wrote his essay on humanist superintelligence?", "verge-decoder-2026-06-08:en:t054.1",
     "four or five months ago"),
    # a year asked for is not looked for further down: years are everywhere ("2010" is when DeepMind was founded)
    ("In what year did he start the Muslim Youth Helpline?", "bloomberg-mishal-husain-2025-12-12:en:t056", None),
])
def test_a_date_may_come_from_just_below_the_quoted_passages_unless_a_year_is_asked(service, question, below, figure):
    from dataclasses import replace

    from rag.answers.figure import DATE as DATES

    dated = service.index.passage_of(below)
    others = [p for p in service.index.search(service.index.parse(question), None, 40) if p.key != dated.key
              and p.role == "guest" and not any(DATES.search(c.text) for c in p.members.values())][:3]  # no dates
    ranked = [replace(others[0], score=100.0)] + [replace(p, score=1.0) for p in others[1:]] + [replace(dated, score=0.5)]
    draft = compose(question, "en", ranked, service.manifests(), True, query=question, kind="date")
    assert draft.figure == figure, draft.answer[:200]


def test_a_quote_left_over_goes_to_the_lead_passages_next_best_thought(service):
    from dataclasses import replace

    question = "What did he say about distillation?"
    ranked = [replace(p, score=100.0 if i == 0 else 1.0)  # nothing else comes close enough to be quoted
              for i, p in enumerate(service.index.search(service.index.parse(question), None, 10))]
    lead = ranked[0].best_in("en")
    draft = compose(question, "en", ranked, service.manifests(), True, query=question)
    # its opening, the thought closest to the question, and the next best: three pieces of one reply, apart
    assert len(draft.citations) == MAX_QUOTES and all(c.chunk_id == lead.chunk_id for c in draft.citations)
    spans = sorted((lead.text.index(c.quote), lead.text.index(c.quote) + len(c.quote)) for c in draft.citations)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    # when it is the whole answer (his words found as asked), nothing is added
    said = compose('Did he say "we can push the frontier with actual research"?', "en", ranked, service.manifests(),
                   True, query="push the frontier with actual research", kind="who_said")
    assert len(said.citations) <= 1 or said.citations[0].chunk_id != said.citations[1].chunk_id


def test_words_that_only_look_like_figures_are_not_taken():
    q = "How much cheaper is the Maia 200 chip?"
    text = "It's one of the best chips. It is 30 percent cheaper than a GB200."
    assert find_figure(text, set(tokenize(q)), question=q)[1] == "30 percent"
    assert find_figure("We have a one-week meetup in person.", set())[1] == "one-week"
    assert find_figure("There are billions of people a month using it.", set())[1].startswith("billions of people")
    zh = "我們正在規劃下一个周期的工作——這一次周期將延長至八周。"
    assert find_figure(zh, set(tokenize("下一個工作週期要跑幾週？")))[1] == "八周"


@pytest.mark.parametrize("question, text, figure", [
    # asked "until": the year the passage states that way, not the first year it names
    ("Until what year does Microsoft keep its license to everything OpenAI builds?",
     "OpenAI 在 2019 年簽署協議。直到 2032 年,我們仍然擁有 OpenAI 所有成果的使用許可。", "2032"),
    ("OpenAI の成果のライセンスは何年まで続く？", "2019 年に契約しました。ライセンスは 2032 年まで続きます。", "2032"),
    # asked "beyond": "north of", 以降, not "until" (到哪一年 is only the way to ask it)
    ("微軟跟 OpenAI 的合作會延續到哪一年以後？", "The deal was signed in 2019. We're running way north of 2030.", "2030"),
    # with a year asked, "直到幾周前" (until a few weeks ago) is no answer to "until what year"
    ("Until what year does the license run?", "直到幾周前,微軟還被禁止。直到 2032 年,我們仍然擁有許可。", "2032"),
    # no relation stated: the best sentence's year, as before
    ("When did OpenAI sign the deal?", "OpenAI 在 2019 年簽署協議。直到 2032 年,我們仍然擁有許可。", "2019"),
])
def test_a_date_asked_until_or_beyond_is_the_one_stated_that_way(question, text, figure):
    assert find_figure(text, set(tokenize(question)), date=True, question=question)[1] == figure


@pytest.mark.parametrize("question", [
    "Past what year will Microsoft's partnership with OpenAI keep running?",
    "微软和OpenAI的合作会延续到哪一年之后？",
])
def test_a_date_asked_beyond_is_looked_for_below_the_quoted_passages(service, question):
    """The quoted passages give only "2019" (the old agreement); "way north of 2030" is a little further down."""
    answer = service.ask(question)
    assert answer.figure == "2030", answer.answer


def test_a_span_of_time_is_not_answered_by_a_year():
    q = "How long has Microsoft been working to reestablish its relationship with OpenAI?"
    assert asked_unit(q) == SPAN
    text = "The deal dates from 2019 年. We've been on this journey for the last 15 to 18 months."
    assert find_figure(text, set(tokenize(q)), question=q, unit=asked_unit(q))[1] == "15 to 18 months"
    assert find_figure("The deal dates from 2019 年.", set(tokenize(q)), question=q, unit=asked_unit(q)) is None


@pytest.mark.parametrize("question, unit", [
    ("How much did Microsoft invest in OpenAI?", MONEY),
    ("How much revenue does Microsoft have?", MONEY),
    ("微软到目前为止一共向OpenAI投资了多少钱？", MONEY),
    ("ザッカーバーグはデータセンターへの投資額をいくらと伝えた？", MONEY),
    ("What percentage of the market does Copilot have?", SHARE),
    ("診断の準確率は何パーセント？", SHARE),
    ("How many weeks are the planning cycles?", SPAN),
    ("How much time does he spend talking to Copilot?", SPAN),  # time spent, not money
    ("下一個工作週期要跑幾週？", SPAN),
    ("あと何年くらいかかると見ている？", SPAN),
    ("How many parameters does MAI-Thinking-1 have?", COUNT),
    ("How much computing capacity does Microsoft have?", AMOUNT),  # an amount of it: anything but a span
    ("MSN每个月有多少访问量？", COUNT),
    ("聊天機器人在三年內累積了多少年度使用者？", COUNT),  # 年度 is "annual", not a span of years
    ("マイクロソフトはGPUを何台保有しているの？", COUNT),
    ("Foundry には何種類のモデルがありますか？", COUNT),
    ("微软在几个国家有数据中心？", COUNT),
    ("他认为哪几种能力会让风险升高？", None),
    ("How much cheaper is the Maia 200 chip than Nvidia's GB200?", None),  # a ratio or an amount: any figure
    ("How much progress has Microsoft made on superintelligence?", AMOUNT),
    ("MAI-Thinking-1 のベンチマーク性能はどのくらいですか？", None),
    ("Maia 200 晶片比 GB200 便宜多少？", None),
    ("スレイマンはいくらか規制を心配していますか？", None),  # いくらか is "somewhat", not "how much"
    ("他多少有点担心监管吗？", None),  # 多少有点 is "somewhat"
    ("How much is Microsoft paying Mayo Clinic under the partnership?", MONEY),
    ("What annual revenue figure did Suleyman give for Microsoft?", MONEY),
    ("AI エージェントが機能するようになるまで、どれくらいかかると見ていますか?", SPAN),  # how long it takes
    ("How large is the budget Amy Hood approved for training?", MONEY),
    ("Ｈｏｗ ｍｕｃｈ ｄｉｄ Ｍｉｃｒｏｓｏｆｔ ｉｎｖｅｓｔ ｉｎ ＯｐｅｎＡＩ？", MONEY),  # full-width letters
    ("MAI-Thinking-1的參數量有多少？", COUNT),  # the quantity named before 多少
    ("Copilot的用户数是多少？", COUNT),
    ("MAI-Thinking-1 のパラメータ数はいくつ？", COUNT),
    ("MAI-Thinking-1 のパラメータ数はどれくらい？", COUNT),  # the number of something, asked by どれくらい
    ("苏莱曼说计算量在多少年里增加了一万亿倍？", SPAN),
    ("Copilot目前有多少月活跃用户？", COUNT),  # 月活 is "monthly active", not months
    ("微软一年营收有多少？", MONEY),  # a sum named before the question word, not "50 年"
    ("マイクロソフトの売上はいくらですか？", MONEY),
    ("患者のうちメディケイドを利用している人の割合は？", SHARE),
    ("用户里企业客户的占比是多少？", SHARE),
    ("By how much has the cost of asking a model a question fallen?", None),  # a change: a share or a sum
    ("MAI-Thinking-1在AIME上得了多少分?", None),  # a score: points or a percentage
    ("下一個週期要跑多少分鐘？", SPAN),  # 分 of 分鐘 is still a unit of time
    ("What is the price of MAI-Thinking-1's API?", MONEY),  # the sum named in a what-question, not "97 percent"
    ("What's the salary he gets at Microsoft?", MONEY),
    ("How much is his salary?", MONEY),
    ("苏莱曼在微软的年薪是多少？", MONEY),  # not "一年" nor "2010年"
    ("微软给他的薪酬有多少？", MONEY),
])
def test_what_kind_of_figure_a_question_asks_for(question, unit):
    assert asked_unit(question) == unit


@pytest.mark.parametrize("text, figure", [
    ("現在、自社クラスター内で GB200 よりも 30% 安価なチップを製造できます。", "30%"),
    ("It runs on H100 and GB200 clusters.", None),  # digits glued to a name's letters are the name
    ("We bought 100 GPUs.", "100 GPUs"),
    ("The MAI-Thinking-1 model is out.", None),  # a name's number after its hyphen
    ("We expect it by mid-2026.", "2026"),
])
def test_a_names_digits_are_not_a_figure(text, figure):
    found = find_figure(text, set(), question="How many?")
    assert (found[1] if found else None) == figure


def test_a_figure_of_another_kind_does_not_answer():
    assert units_of("$400 million") == {MONEY} and units_of("18 months") == {SPAN}
    assert units_of("30 percent") == {SHARE} and units_of("33 吉瓦") == {COUNT}
    assert units_of("4.6", "roughly on par with Opus ") == set()  # a model's version, not a figure
    assert units_of("200 chip", "Our Maia ") == set()  # the name's number, then what the name is
    assert units_of("100 GPUs", "We bought ") == {COUNT}
    # A bare amount is money or a count, whichever was asked; "three times" a multiple or how often.
    for amount in ("1.5 trillion", "hundreds of billions", "三千亿", "数千億"):
        assert units_of(amount) == {MONEY, COUNT}, amount
    assert units_of("three times") == {SHARE, COUNT}
    assert units_of("2014") == {SPAN}  # "How long ago…?" may be answered by a year; "how many employees?" not
    q = "How many employees does Microsoft AI have?"
    assert find_figure("Then in 2021 some OpenAI employees left.", set(tokenize(q)), question=q,
                       unit=asked_unit(q)) is None
    text = "It's now roughly on par with Opus 4.6. It has been the plan for the last 18 months."
    q = "How many parameters does MAI-Thinking-1 have?"
    assert find_figure(text, set(tokenize(q)), question=q, unit=asked_unit(q)) is None
    assert find_figure(text, set(tokenize(q)), question=q)[1] == "4.6"  # any figure, when the kind is not asked
    q = "How much has OpenAI committed to spend on data centers?"
    text = "It took 18 months. They've signed over $1.5 trillion of commitments for building data centers."
    assert find_figure(text, set(tokenize(q)), question=q, unit=asked_unit(q))[1] == "$1.5 trillion"
    # 十分 is "enough" (ja) or "very" (zh), not ten minutes.
    assert find_figure("フロンティアモデルの訓練に十分な規模のクラスター", set()) is None


@pytest.mark.parametrize("question, text, figure", [
    ("MAI-Thinking-1 の学習には何枚の GPU が使われましたか?", "私たちは 109 ページの技術報告書を共有しました。", None),
    ("何社が Azure を使っていますか？", "500 大企業のうち 493 社が使っています。", "493 社"),
    ("微软AI团队有多少名员工？", "我們有 5000 人在這個團隊。", "5000 人"),  # 人 and 名 both count people
    ("微软AI团队有多少名员工？", "全球 493 家大企業都在用。", None),  # 家 counts companies
    ("Maia 200 チップは何ナノメートルのプロセスで製造されていますか?", "Maia 200 は 3 世代目のチップです。", None),
    ("マイクロソフトは何ギガワットの計算能力を持っていますか？", "我們擁有 33 吉瓦的計算能力。", "33 吉瓦"),  # another language
])
def test_a_count_in_chinese_or_japanese_carries_the_counter_asked(question, text, figure):
    found = find_figure(text, set(), question=question, unit=asked_unit(question))
    assert (found[1] if found else None) == figure


@pytest.mark.parametrize("question, text, figure", [
    ("How many people work on the Superintelligence team?", "We have 493 of the 500 largest companies on our systems.",
     None),  # companies are not people
    ("How many GPUs are in the cluster?", "We have seven new models across all the modalities.", None),
    ("How many researchers are on the team?", "It broadened beyond research over the last two, three, four years.",
     None),  # a span of years, whichever number of the list is taken
    ("How many visits does MSN get a month?", "Our image model is now number two.", None),  # a rank, not a count
    ("微软AI团队有多少名员工？", "We have 493 of the 500 largest companies on our systems.", None),  # 名 counts people
    ("How many people work on the team?", "We have 5,000 researchers on the team.", "5,000 researchers"),  # people
    ("How many back-and-forths make a useful chat?", "You go back and forth, you have five or six exchanges.",
     "five or six"),  # exchanges may well be what is asked: a noun of no class may count what another counts
    ("How many GPUs were in the cluster?", "So, we've been very deliberate for two reasons.", None),  # GPUs are
    # of a known class: only its nouns count them
    ("How many back-and-forths make a useful chat?", "We worked on it for two, three, four years.", None),  # years
    # are how many of nothing, whatever was asked
    ("How many pages long is the report?", "We just shared a 109-page, very detailed, technical report.", "109"),
    ("訓練集群用了多少塊GPU?", "We just shared a 109-page, very detailed, technical report.", None),  # GPUs, not pages
])
def test_a_count_of_something_else_does_not_answer_how_many(question, text, figure):
    found = find_figure(text, set(tokenize(question)), question=question, unit=asked_unit(question))
    assert (found[1] if found else None) == figure


def test_a_date_range_is_taken_whole():
    found = find_figure("Machines will be more capable over the next 20 or 30 years, or sooner.", set(), date=True)
    assert found[1] == "next 20 or 30 years"  # not "next 20 or"


def test_an_amount_of_something_is_not_a_span_of_time():
    q = "How much computing capacity does Microsoft have?"
    text = "Microsoft is a company that's been around for 50 years. Luckily we have 33 gigawatts of compute."
    assert find_figure(text, set(tokenize(q)), question=q, unit=asked_unit(q))[1] == "33 gigawatts"
    assert find_figure("It has been around for 50 years.", set(tokenize(q)), question=q, unit=asked_unit(q)) is None


def test_an_amount_with_no_figure_is_still_answered(service):
    # "how much enthusiasm" has no figure for an answer; unlike a money or count question it is not "no such figure"
    guest = next(c for c in service.index.chunks if c.role == "guest" and c.lang == "en" and not FIGURE.search(c.text)
                 and "enthusias" not in c.text.lower() and len(c.text) > 80)
    passage = service.index.passage_of(guest.chunk_id)
    draft = compose("How much enthusiasm does Microsoft have?", "en", [passage], service.manifests(), True, kind=NUMBER)
    assert not draft.unanswered and draft.citations
    # a count asked for, with no figure and nothing counted named, is "no such figure"
    draft = compose("How many GPUs does Microsoft have?", "en", [passage], service.manifests(), True, kind=NUMBER)
    assert draft.unanswered


def test_a_passage_naming_what_is_counted_may_answer_without_a_figure():
    assert names_counted("全球有多少機構每天都在用微軟的AI工具？", ["全球所有主要機構每天都需要使用我們的人工智能功能和工具。"])
    assert not names_counted("How many GPUs did Microsoft use?", ["And that's what MAI-Thinking-1 is."])
    assert names_counted("How many GPUs did Microsoft use?", ["We bought a lot of GPUs."])


def test_a_quote_does_not_stop_one_sentence_before_the_point():
    text = ("There’s definitely lots of shortcuts to the frontier. It’s true that the model might quickly fit to "
            "that distribution. But it’s very unclear that they would then be able to surpass that teacher. "
            "We want to set the frontier ourselves.")
    quote = text[slice(*best_window(text, "model quickly fit distribution"))]
    assert quote.endswith("surpass that teacher.")


# --- whole answers ---

def test_yes_no_question_gets_a_verdict_line_first(service):
    a = service.ask("Is the partnership between Microsoft and OpenAI over?")
    assert a.grounded and a.kind == YES_NO and a.verdict in ("yes", "no")
    assert a.answer.startswith(VERDICT_OPENINGS)
    assert_verbatim(service, a)
    first_line = a.answer.split("\n")[0]
    assert a.citations[0].quote in first_line
    # the quotes after it are numbered as their citations (and evidence cards) are: 2, 3
    listed = [ln for ln in a.answer.split("\n")[1:] if ln[:1].isdigit()]
    assert len(a.citations) >= 2 and len(listed) == len(a.citations) - 1
    for n, (line, c) in enumerate(zip(listed, a.citations[1:]), start=2):
        assert line.startswith(f"{n}. “{c.quote}”")


def test_a_no_in_the_next_sentence_does_not_flip_the_verdict(service):
    # "…removed the IDF from those servers. They were clearly not in compliance…": the sentence that answers
    # is the first; the negation in the one after it is about something else.
    a = service.ask("Did Microsoft remove the IDF from its servers?")
    assert a.kind == YES_NO and a.verdict == "yes", a.answer
    assert "removed the IDF" in a.answer.split("\n")[0]


@pytest.mark.parametrize("question, opening", [
    ("Was DeepMind acquired by Google?", "Yes — according to Bloomberg's note"),
    ("DeepMindはGoogleに買収された？", "はい — Bloombergの注記"),
])
def test_a_yes_no_question_a_note_answers_gets_the_notes_verdict(service, question, opening):
    # Every yes/no answer has a verdict line, also when an outlet's note is what answers it; it is the note's.
    a = service.ask(question)
    assert a.kind == YES_NO and a.verdict == "yes", a.answer
    assert a.answer.startswith(opening)
    assert a.citations[0].role == "editor" and a.citations[0].quote in a.answer.split("\n")[0]
    assert_verbatim(service, a)


def test_japanese_yes_no_verdict_is_in_japanese(service):
    a = service.ask("マイクロソフトはOpenAIとの提携を続けますか？")
    assert a.answer_lang == "ja" and a.verdict in ("yes", "no")
    assert a.answer.startswith(("はい — ", "いいえ — "))


def test_how_much_question_gets_the_figure_first(service):
    a = service.ask("How many gigawatts of compute does Microsoft have?")
    assert a.grounded and a.kind == NUMBER and a.figure
    first_line = a.answer.split("\n")[0]
    assert first_line.startswith(a.figure) and a.figure in a.citations[0].quote
    assert_verbatim(service, a)


@pytest.mark.parametrize("question", [
    "How many parameters does MAI-Thinking-1 have?",
    "微软到目前为止一共向OpenAI投资了多少钱？",
    "マイクロソフトはGPUを何台保有しているの？",
    "How many people work on Microsoft AI's Superintelligence team?",  # not "493 of the 500 largest companies"
    "MAI-Thinking-1的參數量有多少？",  # not "97 percent"
])
def test_no_figure_of_the_kind_asked_is_not_covered(service, question):
    """A "how many X" no passage counts is not answered with some other number ("Opus 4.6", "18 months"):
    the first line says there is no such figure, cites the closest words, and the answer is not grounded."""
    a = service.ask(question)
    assert not a.grounded and a.kind == NUMBER and a.figure is None
    first_line = a.answer.split("\n")[0]
    assert first_line.startswith(("The interviews give no such figure", "インタビューにはその数字は出てきません",
                                  "訪談中沒有給出這個數字"))
    assert len(a.citations) == 1 and a.citations[0].quote in first_line
    assert_verbatim(service, a)


@pytest.mark.parametrize("question", [
    "When will Copilot Actions be generally available in Britain?",  # not "上周" (what Copilot remembers)
    "Mayo Clinicの医療モデルはいつから病院で使われる予定ですか？",  # not "数日前" (when the partnership was announced)
])
def test_a_date_already_past_does_not_say_when_something_will_happen(service, question):
    a = service.ask(question)
    assert not a.grounded and a.figure is None, a.answer


def test_a_when_question_nothing_dates_is_no_such_figure(service):
    """No passage gives any date for the UK launch ("it's in dev mode, so not generally available just yet"): the
    first line says so, with the closest words, rather than quoting around it as if it answered."""
    a = service.ask("When is Copilot Actions going to launch in the UK?")
    assert not a.grounded and a.figure is None and a.answer.startswith("The interviews give no such figure"), a.answer
    assert len(a.citations) == 1


@pytest.mark.parametrize("question", [
    "Was Suleyman serious when he said an AI interviewer would replace the host in about six months?",
    "スレイマンは、AIインタビュアーが半年で司会者に取って代わると本気で思っているの？",
    "苏莱曼说再过大概六个月AI就能取代主持人，这话当真吗？",
])
def test_was_he_serious_is_answered_no_by_his_saying_he_was_joking(service, question):
    """"你還有一些時間,大概六個月吧。" / "我在開玩笑。": the joke is the verdict, quoted first."""
    a = service.ask(question)
    assert a.kind == "yes_no" and a.verdict == "no", a.answer
    assert "開玩笑" in a.citations[0].quote and any("六個月" in c.quote for c in a.citations), a.answer
    assert_verbatim(service, a)


@pytest.mark.parametrize("question, jest", [
    ("Was he serious about that?", True), ("本気で言ったの？", True), ("他是认真的吗？", True),
    ("Did he say she had six months left?", False),  # what he said, not whether he meant it
])
def test_which_replies_answer_was_he_serious(question, jest):
    assert said_in_jest(question, ["你還有一些時間,大概六個月吧。\n\n我在開玩笑。"]) is jest
    assert not said_in_jest(question, ["你還有一些時間,大概六個月吧。"])


@pytest.mark.parametrize("question", [
    "卫报那篇关于以色列军方使用微软服务的报道是哪一天发表的？",  # not "50年" (a company fifty years old)
    "What date was the Guardian report about the Israeli military published?",
])
def test_a_day_asked_is_not_answered_by_years(service, question):
    a = service.ask(question)
    assert a.kind == "date" and not a.grounded and a.figure is None, a.answer


def test_a_day_asked_is_answered_by_a_week_named(service):
    a = service.ask("超级智能团队在波士顿的线下聚会是哪一天？")
    assert a.kind == "date" and a.grounded and a.figure == "下下周", a.answer


@pytest.mark.parametrize("question", [
    "苏莱曼在微软的年薪是多少？",  # not Microsoft's "2800億美元的營收"
    "How much is Suleyman's salary at Microsoft?",  # nor "50 years" (how long Microsoft has been around)
])
def test_a_sum_of_another_kind_does_not_answer(service, question):
    a = service.ask(question)
    assert a.kind == "number" and not a.grounded and a.figure is None, a.answer


def test_a_sum_of_the_kind_asked_still_answers(service):
    # "committed to spend" against "signed over $1.5 trillion of … commitments" (its sentence also names revenue)
    a = service.ask("How much has OpenAI committed to spend on building data centers, according to Suleyman?")
    assert a.grounded and a.figure and "1.5" in a.figure, a.answer


@pytest.mark.parametrize("question, sentence, another", [
    ("微软给他的年薪是多少？", "我們擁有2800億美元的營收。", True),
    ("What is the valuation of Thinking Machines?", "raised nearly $2 billion at a valuation of $10 billion", False),
    ("How much is Microsoft spending on data centers?", "we have $280 billion of revenue", True),
    ("How much has OpenAI committed to spend?", "they've signed over $1.5 trillion of commitments, and revenue", False),
    ("How much did it cost?", "We have 33 gigawatts.", False),  # a sentence naming no kind of sum can't tell
])
def test_which_sums_are_of_another_kind(question, sentence, another):
    assert sums_another(question, sentence) is another


@pytest.mark.parametrize("question, evidence, another", [
    ("苏莱曼预计GPT-6会在哪一年发布?", "They still produce the best models in the world. GPT-5.5 is outstanding.", True),
    ("Is GPT-5.5 an outstanding model?", "GPT-5.5 is an outstanding model.", False),
    ("Is MAI-Transcribe-1.5 second in the world?", "MAI-Thinking-1 is out.", False),  # another family: can't tell
    ("Is Gemini 4 ahead of ChatGPT?", "Gemini 3 has more niche skills.", True),
    ("Is MAI-Thinking-1 on par with Opus 4.6?", "It's roughly on par with Opus 4.5 on the benchmarks.", True),
])
def test_another_version_of_a_model_is_another_model(question, evidence, another):
    assert replaces(question, evidence) is another


def test_a_year_stated_about_something_else_of_another_models_version_does_not_answer(service):
    # "we're running way north of 2030" sits beside "GPT-5.5", not GPT-6
    a = service.ask("苏莱曼预计GPT-6会在哪一年发布?")
    assert a.figure != "2030" and not a.grounded, a.answer


@pytest.mark.parametrize("question, day", [
    ("What date was it published?", True), ("On which day did it start?", True), ("何月何日に始まりますか？", True),
    ("是哪一天发表的？", True), ("几月几号开会？", True), ("What year was it?", False), ("いつですか？", False),
])
def test_which_questions_ask_for_a_day(question, day):
    assert asks_day(question) is day


@pytest.mark.parametrize("figure, years_only", [
    ("50年", True), ("10 年", True), ("2030", True), ("next two or three years", True),
    ("下下周", False), ("June 2019", False), ("2019年6月", False), ("last week", False), ("11 月", False),
])
def test_which_dates_name_only_years(figure, years_only):
    assert names_no_day(figure) is years_only


@pytest.mark.parametrize("question, future", [
    ("When will it ship?", True), ("When is it going to launch in the UK?", True),
    ("いつから使われる予定ですか？", True), ("计划什么时候正式上线？", True), ("什麼時候能投入生產？", True),
    ("When did he write the essay?", False), ("DeepMind是哪一年被收购的？", False), ("いつ発表しましたか？", False),
])
def test_which_when_questions_ask_about_what_is_yet_to_happen(question, future):
    assert asks_future(question) is future


@pytest.mark.parametrize("figure, past", [
    ("last week", True), ("a couple of days ago", True), ("上周", True), ("数日前", True), ("昨年", True),
    ("2022", True), ("2025", False), ("next two or three years", False), ("2030", False), ("八周", False),
])
def test_which_dates_were_already_past_when_he_spoke(figure, past):
    assert is_past(figure, 2025) is past


def test_no_figure_next_to_an_outlets_note_does_not_speak_for_the_guest(service):
    """When the closest passage is an editor's note, "no such figure" says it is the outlet's note, never "the
    closest the guest comes"."""
    note = next(c for c in service.index.chunks if c.role == "editor" and c.lang == "en" and not FIGURE.search(c.text))
    passage = service.index.passage_of(note.chunk_id)
    draft = compose("How many GPUs does Microsoft have?", "en", [passage], service.manifests(), True, kind=NUMBER)
    assert draft.unanswered and draft.citations[0].role == "editor"
    assert draft.answer.startswith("The interviews give no such figure. The closest passage is Bloomberg's note")
    assert "Suleyman" not in draft.answer.split("“")[0]


@pytest.mark.parametrize("question", [
    "How many institutions use Microsoft's AI tools every day?",  # English question, Chinese-only passage: 主要機構
    "How many pages is the technical report?",
    "How many weeks are the planning cycles?",
    "How much has OpenAI committed to spend on data centers?",
    "全球有多少機構每天都在用微軟的AI工具？",  # no number, but the passage names them: "all the major institutions"
])
def test_a_how_many_question_the_interviews_answer_is_not_refused(service, question):
    a = service.ask(question)
    assert a.grounded and a.kind == NUMBER


def test_compare_question_gets_one_section_per_interview(service):
    a = service.ask("Compare what he said about jobs and work on Decoder with what he told Bloomberg")
    assert a.grounded and a.kind == COMPARE
    assert {s.interview for s in a.sections} == {"verge-decoder-2026-06-08", "bloomberg-mishal-husain-2025-12-12"}
    lines = a.answer.split("\n")
    for section in a.sections:
        header = next(i for i, line in enumerate(lines) if line.startswith(section.outlet))
        assert section.date in lines[header]
        if section.found:
            assert section.citations and all(a.citations[i].interview == section.interview for i in section.citations)
    assert all(s.found for s in a.sections)
    assert_verbatim(service, a)


def test_a_compare_side_quotes_what_it_says_on_the_topic(service):
    # Bloomberg's best-ranked passage for 医療 ("它是一款人工智能產品") names no healthcare; one of its others does.
    a = service.ask("両インタビューで、彼は医療についてどう語っている？")
    bloomberg = next(s for s in a.sections if s.interview == "bloomberg-mishal-husain-2025-12-12")
    assert bloomberg.found
    quoted = a.citations[bloomberg.citations[0]]
    passage = service.index.passage_of(quoted.chunk_id)
    assert any(w in c.text.lower() for c in passage.members.values() for w in ("醫療", "医疗", "healthcare", "health")), \
        quoted.quote


def test_a_compare_side_quotes_the_passage_whose_sentence_answers(service):
    # Ranked without the question bank, Bloomberg puts "I really want to crack medical superintelligence" first
    # for this; the reason he gives is the sentence "My mum was a nurse", in a passage ranked just below it.
    from rag.answers.comparison import compose_comparison
    from rag.retrieval import Filters

    bloomberg = "bloomberg-mishal-husain-2025-12-12"
    query = service.index.with_sentence_evidence(
        service.index.parse("What personal reasons for caring about healthcare does he give in each interview?"))
    sides = {iv: service.index.search(query, Filters(iv), 10) for iv in service.manifests()}
    nurse = [any("My mum was a nurse" in c.text for c in p.members.values())
             for p in sides[bloomberg] if p.role == "guest"]
    assert nurse.index(True) in (1, 2)  # below the first, among the candidates
    draft = compose_comparison("en", sides, service.manifests(), query, relevant=lambda ps: True)
    section = next(s for s in draft.sections if s["interview"] == bloomberg)
    passage = service.index.passage_of(draft.citations[section["citations"][0]].chunk_id)
    assert any("My mum was a nurse" in c.text for c in passage.members.values())


def test_each_side_quotes_its_two_best(service):
    """A side's gold is often its second passage: each interview's section quotes its two best, in rank order."""
    from rag.answers.comparison import compose_comparison
    from rag.retrieval import Filters

    query = service.index.with_sentence_evidence(service.index.parse("What does he say about healthcare?"))
    sides = {iv: [p for p in service.index.search(query, Filters(iv), 10) if p.role == "guest"][:3]
             for iv in service.manifests()}
    words = set(tokenize("What does he say about healthcare?"))  # no sentence scores: the order stays as given
    draft = compose_comparison("en", sides, service.manifests(), words, relevant=lambda ps: True)
    assert len(draft.citations) == 4
    for section in draft.sections:
        cited = [service.index.passage_of(draft.citations[i].chunk_id).key for i in section["citations"]]
        assert cited == [p.key for p in sides[section["interview"]][:2]]


def test_a_side_far_outscored_by_the_other_has_nothing_on_the_topic(service):
    # Only Bloomberg asks him about Musk: Decoder's best passages are about other things, far below Bloomberg's.
    a = service.ask("How does he talk about Elon Musk in each interview?")
    found = {s.interview: s.found for s in a.sections}
    assert found == {"bloomberg-mishal-husain-2025-12-12": True, "verge-decoder-2026-06-08": False}, a.answer


@pytest.mark.parametrize("weak, strong, empty", [(5.0, 12.0, True),     # weak, and far below the other side
                                                 (5.0, 9.0, False),     # weak, but close to the other side
                                                 (10.5, 15.5, False)])  # far below, but not weak
def test_a_side_is_empty_only_when_weak_and_far_below_the_other(service, weak, strong, empty):
    from dataclasses import replace

    from rag.answers.comparison import compose_comparison
    from rag.retrieval import Filters

    query = service.index.parse("What does he say about healthcare?")
    ivs = sorted(service.manifests())
    sides = {}
    for iv, score in zip(ivs, (weak, strong)):
        guest = [p for p in service.index.search(query, Filters(iv), 10) if p.role == "guest"][:1]
        sides[iv] = [replace(guest[0], score=score)]
    words = set(tokenize("What does he say about healthcare?"))
    draft = compose_comparison("en", sides, service.manifests(), words, relevant=lambda ps: True)
    assert {s["interview"]: s["found"] for s in draft.sections} == {ivs[0]: not empty, ivs[1]: True}


def test_quotes_after_the_first_name_what_is_asked_first(service):
    from rag.retrieval import Filters

    query = service.index.parse("What did he say about distillation?")
    passages = [p for p in service.index.search(query, Filters(role="guest"), 10)]
    wanted = passages[3]
    draft = compose("What did he say about distillation?", "en", passages, service.manifests(), True, query=query,
                    margin=1e9, names_asked=lambda p: p.key == wanted.key)
    cited = [service.index.passage_of(c.chunk_id).key for c in draft.citations]
    assert cited[0] == passages[0].key and wanted.key in cited[1:]
    plain = compose("What did he say about distillation?", "en", passages, service.manifests(), True, query=query,
                    margin=1e9)
    assert wanted.key not in [service.index.passage_of(c.chunk_id).key for c in plain.citations]


def test_json_contract_carries_the_shape(_session_index, monkeypatch):
    monkeypatch.setenv("INTERVIEW_QA_HOME", str(_session_index))
    result = CliRunner().invoke(cli, ["ask", "Is the partnership between Microsoft and OpenAI over?", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[result.output.index("{"):])
    for key in ("question", "answer", "citations", "retrieved", "grounded", "kind", "verdict", "figure", "sections"):
        assert key in data
    assert data["kind"] == "yes_no" and data["verdict"] in ("yes", "no")


def test_time_words_are_not_answer_markers():
    assert opening_polarity("Right now, we are not in a mode where there is huge catastrophic harm.") is None
    assert opening_polarity("Right. We did exactly that.") == "yes"


def test_the_figure_comes_from_the_sentence_sharing_the_question_words_in_translation(service):
    """The passage (the Chinese-only tail) holds two gigawatt figures: Meta's 2 and Microsoft's 33. The sentence
    naming 微軟 (Microsoft, through the corpus lexicon) gives the answer."""
    answer = service.ask("How many gigawatts of compute does Microsoft have?")
    assert answer.figure == "33 吉瓦", answer.answer
    assert_verbatim(service, answer)


def test_the_figure_is_the_quoted_one_whose_sentence_is_closest_to_the_question(service):
    """The passage ranked first gives "many, many millions of people"; a passage quoted after it says how many
    back-and-forths a useful chat takes. The figure is that one, not the lead's whatever it counts."""
    answer = service.ask("How many back-and-forths does he imagine in a typical useful chat?")
    assert answer.figure == "five or six", answer.answer
    assert answer.answer.startswith("five or six")
    assert_verbatim(service, answer)


@pytest.mark.parametrize("question, opening", [
    ("In what year did Suleyman join the board of The Economist?", "The interviews give no such figure."),
    ("スレイマンが Muslim Youth Helpline を立ち上げたのは何年ですか？", "インタビューにはその数字は出てきません。"),
])
def test_a_year_asked_for_that_nothing_gives_is_no_such_figure(service, question, opening):
    """He says he is on The Economist's board and that he helped start Muslim Youth Helpline, never when."""
    answer = service.ask(question)
    assert not answer.grounded and answer.figure is None
    assert answer.answer.startswith(opening), answer.answer


def test_a_year_asked_for_and_given_is_the_figure_with_the_note_quoted_without_its_number(service):
    answer = service.ask("DeepMind 是哪一年创立的？")
    assert answer.figure == "2010年" and answer.grounded, answer.answer
    assert answer.citations[0].original is not None
    assert answer.citations[0].original.quote.startswith("Hassabis and Suleyman founded DeepMind")


@pytest.mark.parametrize("question, figure", [
    ("How much cheaper is the Maia 200 chip than a GB200?", "30 percent"),
    ("Maia 200チップはGB200と比べてどれくらい安いですか？", "30%"),
])
def test_a_figure_asked_by_a_comparison_is_the_one_stated_with_it(question, figure):
    """"How much cheaper?": the "30 percent cheaper" sentence, not the "1.4x performance per watt" one the
    question's other words match better."""
    text = {"en": "We can now ship it 30 percent cheaper. And on the Maia 200 chip, compared with a GB200 chip, "
                  "the model delivers 1.4x performance per watt improvement.",
            "ja": "今では 30% 安価に出荷できます。さらに Maia 200 チップで、GB200 チップと比べて、モデルは"
                  "ワットあたりのパフォーマンスが 1.4 倍改善されます。"}["ja" if "安い" in question else "en"]
    tokens = set(tokenize(question))
    assert find_figure(text, tokens, question=question, unit=asked_unit(question))[1] == figure


@pytest.mark.parametrize("text, found", [
    ("蘇萊曼認為微軟和 OpenAI 的合作會在 2030 年之前結束嗎？", {("2030", "before")}),
    ("スレイマン氏は、OpenAIとの提携が2030年より前に終わると言っていますか？", {("2030", "before")}),
    ("Will the partnership last beyond 2030?", {("2030", "beyond")}),
    ("I mean, we’re running way north of 2030.", {("2030", "beyond")}),
    ("実際、2030 年以降も継続する計画です。", {("2030", "beyond")}),
    ("OpenAI との提携は 2030 年より先まで続く予定？", {("2030", "beyond")}),
    ("We signed the deal in 2019.", set()),  # a year in no relation
])
def test_years_put_before_or_beyond_something(text, found):
    from rag.answers.figure import years_in_relation

    assert years_in_relation(text) == found


@pytest.mark.parametrize("question, verdict", [
    ("他是否表示微软与OpenAI的合作会一直持续到2030年以后？", "yes"),
    ("蘇萊曼認為微軟和 OpenAI 的合作會在 2030 年之前結束嗎？", "no"),
    ("Will the Microsoft-OpenAI partnership last beyond 2030?", "yes"),
    ("スレイマン氏は、OpenAIとの提携が2030年より前に終わると言っていますか？", "no"),  # "did he say…": a claim
    ("OpenAI との提携は 2030 年より先まで続く予定？", "yes"),
])
def test_a_year_put_before_or_beyond_is_answered_by_the_year_he_states(service, question, verdict):
    """His reply opens "Definitely not." (to "is it over?"), then says "we're running way north of 2030": the
    year answers a question about 2030, and is what the answer quotes, whichever passage ranked first."""
    answer = service.ask(question)
    assert answer.verdict == verdict
    assert "2030" in answer.citations[0].quote


@pytest.mark.parametrize("question", [
    "Has Suleyman watched Jesse Armstrong's Mountainhead?",
    "スレイマンは Jesse Armstrong のドラマ『Mountainhead』を見たことがありますか?",
])
def test_a_host_question_and_its_reply_outrank_a_caption_beside_them(service, question):
    """The photo caption naming the film matches best, but the host asked just this ("I don't know if you've seen
    Jesse Armstrong's Mountainhead?") and his reply, "I haven't, no.", ranks beside it: the reply answers."""
    answer = service.ask(question)
    assert answer.verdict == "no"
    assert answer.citations[0].role == "guest"
    assert "haven" in (answer.citations[0].quote + str(answer.citations[0].original or ""))


@pytest.mark.parametrize("question, said", [
    ("Is Mayo Clinic a for-profit hospital operator?", "nonprofit"),
    ("蘇萊曼的父親是醫生嗎?", "出租車司機"),
    ("スレイマン氏の父親は医師だったのですか？", "cab driver"),  # no Japanese Bloomberg: the English original
])
def test_a_passage_naming_another_of_the_kind_asked_settles_a_yes_no(service, question, said):
    """"Was his father a doctor?": of the best guest passages, the first naming a trade names another ("My dad was
    a cab driver"): it leads, its sentence is quoted, and the answer is no."""
    answer = service.ask(question)
    assert answer.verdict == "no"
    assert said in answer.citations[0].quote


def test_a_passage_naming_the_one_asked_is_not_passed_over():
    """Only a passage naming another of the kind moves up: one naming the very one asked stays where it ranks."""
    from rag.answers.verdict import kinds_named
    from rag.extractive import _naming_another_first

    class P:
        def __init__(self, role, text):
            self.role, self.members, self.score = role, {"en": type("C", (), {"text": text})()}, 0.0

    q = "Was his father a doctor?"
    top, same, other = P("guest", "We grew up in London."), P("guest", "My dad was a doctor."), P("guest", "My dad was a cab driver.")
    assert _naming_another_first(q, kinds_named(q), [top, same, other])[0][0] is top
    moved, led = _naming_another_first(q, kinds_named(q), [top, other, same])
    assert moved[0] is other and led is other
    note = P("editor", "A note.")
    assert _naming_another_first(q, kinds_named(q), [note, other])[0][0] is note


@pytest.mark.parametrize("question, figure", [
    ("What's the worst case for how long AI agents will take to really work?", "18 months"),
    ("AI エージェントがきちんと機能するようになるまで、最悪の場合どれくらいかかると彼は見ていますか?", "18 months"),
    ("蘇萊曼說AI代理最壞情況下要多久才會真正好用？", "十八個月"),
])
def test_a_bound_asked_is_answered_by_the_figure_stated_with_it(service, question, figure):
    """"…in the next six months or 12 months or, maybe worst case, 18 months": the worst case asked is the 18
    months stated with it, not the first figure of the list."""
    answer = service.ask(question)
    assert answer.figure == figure


@pytest.mark.parametrize("question, bound", [
    ("What's his worst-case timeline?", "upper"), ("遅くとも何年までに?", "upper"), ("最快要多久？", "lower"),
    ("Can machines beat people at most work within 20 years?", None),  # "at most work": no bound
])
def test_bounds_asked(question, bound):
    from rag.answers.figure import asked_bound

    assert asked_bound(question) == bound


@pytest.mark.parametrize("figure, vague", [
    ("何億人", True), ("数ヶ月", True), ("幾周", True), ("hundreds of millions", True),
    ("2 billion", False), ("six months", False), ("十八個月", False), ("30%", False),
])
def test_figures_naming_no_number(figure, vague):
    from rag.answers.figure import is_vague

    assert is_vague(figure) is vague


def test_a_figure_naming_a_number_answers_before_one_naming_none(service):
    """"何億人もの人々" (hundreds of millions) is closer in wording to the Japanese question, but "2 billion annual
    users" names the number asked for."""
    answer = service.ask("LLMやチャットボットは3年で年間何人のユーザーに達したとスレイマン氏は言っていますか？")
    assert answer.figure == "2 billion"


@pytest.mark.parametrize("text, dates", [
    ("Maybe we could quibble over that.", []), ("We may ship it.", []), ("In May we shipped.", []),
    ("In May 2024 we shipped.", ["May 2024"]), ("since October 2024", ["October 2024"]),
    ("a new contract that we got done in October of last year", ["October", "last year"]),
])
def test_a_month_is_a_capitalised_whole_word(text, dates):
    """"Maybe" was read as the month May, and answered a when-question with it."""
    from rag.answers.figure import DATE

    assert [m.group() for m in DATE.finditer(text)] == dates


@pytest.mark.parametrize("asked, verdict", [
    ("Are most of Mayo Clinic's patients wealthy international visitors?", "no"),  # what people wrongly think
    ("Are most of Mayo Clinic's patients on Medicaid?", "yes"),  # what he sets right
])
def test_what_his_words_set_right_is_a_no(asked, verdict):
    """"People often associate them with the international super elites flying in…, but they actually have the
    majority on Medicaid": asked about the first half, the answer is no; about the second, yes."""
    from rag.answers.verdict import set_right

    evidence = ("People often associate them with the international super elites flying in to get the best care in "
                "the world, but they actually have the majority on Medicaid.")
    assert set_right(asked, evidence) is (verdict == "no")


def test_a_yes_no_about_what_he_sets_right_is_answered_no(service):
    answer = service.ask("According to Suleyman, are most of Mayo Clinic's patients wealthy international visitors?")
    assert answer.verdict == "no"


@pytest.mark.parametrize("question, misstated", [
    ("他是不是说,现在向顶级AI模型提问的成本比两年前降了一半左右?", True),  # by half, against 90%
    ("Did the cost of querying a top model fall by half?", True),
    ("成本降了超过一半吗?", False),  # more than half: put in a relation
    ("Did the cost fall by 90%?", False),
])
def test_a_half_asked_is_a_share(question, misstated):
    from rag.answers.figure import misstates_figure

    assert misstates_figure(question, "現在向世界上最好的AI模型之一提問的成本比兩年前降低了90%。") is misstated


def test_of_two_quoted_figures_the_span_in_the_unit_asked_leads(service):
    """Both passages quoted (close scores): the lead's "eight weeks" and the second's "two or three years"; asked
    "how many years", the years lead, whatever ranks first."""
    from dataclasses import replace

    question = "あと何年くらいで偉大な研究所を築けると見ていますか？"
    eight_weeks = service.index.passage_of("verge-decoder-2026-06-08:en:t020")
    two_or_three_years = service.index.passage_of("verge-decoder-2026-06-08:en:t036")
    ranked = [replace(eight_weeks, score=10.0), replace(two_or_three_years, score=9.9)]
    draft = compose(question, "ja", ranked, service.manifests(), True, query=question, kind="number")
    assert "年" in draft.figure, draft.figure


def test_of_two_quoted_figures_one_naming_a_number_leads(service):
    """The lead passage gives "何億人" (hundreds of millions), the one quoted beside it "2 billion": a figure
    naming a number answers, whatever ranks first."""
    from dataclasses import replace

    question = "LLMやチャットボットは3年で年間何人のユーザーに達したとスレイマン氏は言っていますか？"
    vague = service.index.passage_of("verge-decoder-2026-06-08:ja:t030")
    two_billion = service.index.passage_of("bloomberg-mishal-husain-2025-12-12:en:t038")
    ranked = [replace(vague, score=10.0), replace(two_billion, score=9.9)]
    draft = compose(question, "ja", ranked, service.manifests(), True, query=question, kind="number")
    assert draft.figure == "2 billion", draft.figure


def test_a_yes_no_question_leads_with_the_reply_that_settles_it(service):
    """Ranked with the bank (and its query adapter), "already arrived?" finds the turn where he says he never said
    it was here, whose "I mean, obviously I didn't…" opens with a no."""
    answer = service.ask("Does Suleyman think superintelligence has already arrived?")
    assert answer.verdict == "no"
    assert answer.citations[0].chunk_id == "verge-decoder-2026-06-08:en:t024", answer.answer


def _ranked(service, chunk_ids, question, depth=6):
    """The passages of `chunk_ids` first, in that order and scored close together (each within the relevance
    margin of the one before), then the question's next best, well below: a ranking fixed by hand, so the
    answer layer is tested whatever the rankers put first."""
    from dataclasses import replace

    fixed = [service.index.passage_of(c) for c in chunk_ids]
    rest = [p for p in service.index.search(service.index.parse(question), None, 20)
            if p.key not in {f.key for f in fixed}][:depth - len(fixed)]
    return [replace(p, score=100.0 - 0.5 * i) for i, p in enumerate(fixed)] + [replace(p, score=1.0) for p in rest]


def test_a_caption_ranked_first_gives_way_to_the_host_question_and_reply_beside_it(service):
    question = "Has Suleyman watched Jesse Armstrong's Mountainhead?"
    ranked = _ranked(service, ["bloomberg-mishal-husain-2025-12-12:en:t069", "bloomberg-mishal-husain-2025-12-12:en:t063",
                               "bloomberg-mishal-husain-2025-12-12:en:t064"], question)
    draft = compose(question, "en", ranked, service.manifests(), True, service._next_guest_turn, query=question,
                    kind="yes_no")
    assert draft.verdict == "no" and draft.citations[0].role == "guest", draft.answer
    assert "haven" in draft.citations[0].quote


def test_a_passage_stating_the_year_asked_leads_from_below(service):
    question = "Will the Microsoft-OpenAI partnership last beyond 2030?"
    others = [p.key for p in service.index.search(service.index.parse(question), None, 20)
              if p.role == "guest" and not any("2030" in c.text for c in p.members.values())][:2]
    ranked = _ranked(service, others + ["verge-decoder-2026-06-08:en:t018"], question)
    draft = compose(question, "en", ranked, service.manifests(), True, query=question, kind="yes_no")
    assert draft.verdict == "yes" and "2030" in draft.citations[0].quote, draft.answer


def test_a_one_liner_within_the_margin_is_not_quoted_after_the_lead(service):
    question = "What did he say about distillation?"
    lead = service.index.search(service.index.parse(question), None, 1)[0].key
    ranked = _ranked(service, [lead, "verge-decoder-2026-06-08:en:t046"], question)
    draft = compose(question, "en", ranked, service.manifests(), True, query=question,
                    filler=service.index.is_filler)
    assert draft.citations and "Okay." not in [c.quote for c in draft.citations], draft.answer


@pytest.mark.parametrize("question, text, figure", [
    ("When did they sign the new contract? Which month?",
     "Over the last 15 to 18 months we renegotiated. It culminated in a new contract that we got done in October of last year.",
     "October"),
    ("新しい契約は何月に結ばれた?", "この 18 か月で再交渉し、昨年の 10 月に新しい契約を結びました。", "10 月"),
])
def test_which_month_is_answered_by_a_month_named(question, text, figure):
    found = find_figure(text, set(tokenize(question)), date=True, question=question)
    assert found is not None and found[1].replace(" ", "") == figure.replace(" ", "")


def test_a_figure_of_another_of_the_kind_asked_about_is_not_given(service):
    """Asked GPT-5.5's AIME score, the passage giving his own model's 97 percent (beside "on par with Opus 4.6")
    names only other models than the one asked: it is not the answer."""
    answer = service.ask("GPT-5.5在AIME上考了多少分?")
    assert answer.figure is None, answer.answer
    assert service.ask("MAI-Thinking-1在AIME上得了多少分?").figure == "97 percent"
