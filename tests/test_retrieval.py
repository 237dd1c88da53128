"""Retrieval over the real index: framing words never drive ranking, follow-ups use history only when
elliptical, every language reaches every other (the Chinese-only tail too), filters keep linked passages."""

from __future__ import annotations

import numpy as np
import pytest

from rag.lexical import words
from rag.query import Query, search_query
from rag.retrieval import Filters

BLOOMBERG = "bloomberg-mishal-husain-2025-12-12"
VERGE = "verge-decoder-2026-06-08"


@pytest.fixture(scope="module")
def service(indexed_service):
    return indexed_service


def top_text(service, question, filters=None, k=5, lang="en"):
    return [p.best_in(lang).text for p in service.index.search(question, filters, k)]


# --- framing words and fillers ---

@pytest.mark.parametrize("question", [
    "What does Suleyman say about OpenAI?",
    "What did Mustafa Suleyman tell Nilay Patel in the interview?",
    "Mustafa Suleyman, what does he think?",
    "スレイマン氏は何と言いましたか？",
    "蘇萊曼說了什麼？",
    "What did Suleyman say to Mishal Husain at Bloomberg?",
])
def test_no_greeting_or_thanks_leads_a_question_naming_the_guest(service, question):
    top = service.index.search(question, None, 1)[0]
    top_chunks = list(top.members.values())
    assert not all(service.index.filler[service.index._pos[c.chunk_id]] for c in top_chunks), top_chunks[0].text
    assert "Great to be with you again" not in top_chunks[0].text


def test_greetings_are_marked_as_filler(service):
    greeting = next(c for c in service.index.chunks if c.text.startswith("Great to be with you again"))
    assert service.index.filler[service.index._pos[greeting.chunk_id]]
    substantive = next(c for c in service.index.chunks if "surpass that teacher" in c.text)
    assert not service.index.filler[service.index._pos[substantive.chunk_id]]


def test_a_one_liner_is_never_quoted_after_the_lead(service):
    """"Okay." (his whole turn) once came third in an answer about hallucinations, within the relevance margin."""
    a = service.ask("蘇萊曼說過他們把幻覺降到了最低嗎？")
    assert a.citations and not any(service.index.is_filler(service.index.passage_of(c.chunk_id)) for c in a.citations)
    assert "Okay." not in [c.quote for c in a.citations], a.answer


def test_an_opening_too_short_to_say_anything_takes_the_next_sentence(service):
    from rag.extractive import opening_thought

    text = "Yeah. No, I understand the frustration. The open web challenge is one we've talked about before."
    assert text[slice(*opening_thought(text))] == "Yeah. No, I understand the frustration."
    text = "No, we built it ourselves from scratch, with our own data. It took years."  # long enough alone
    assert text[slice(*opening_thought(text))] == "No, we built it ourselves from scratch, with our own data."
    a = service.ask("他能理解創作者對 AI 公司抓取作品的不滿嗎？")
    assert a.citations[0].quote == "Yeah. No, I understand the frustration.", a.answer


def test_framing_words_are_not_searched(service):
    q = Query.parse("What did Mustafa Suleyman say about distillation in the interview?", service.index.framing)
    assert q.content_words == ("distil",)
    assert "Suleyman" not in q.dense_text and "distillation" in q.dense_text
    ja = Query.parse("スレイマン氏は蒸留について何と言いましたか", service.index.framing)
    assert all("スレイマン" not in t and "氏" not in t for t in ja.tokens) and ja.content_words
    # A Latin name touching Japanese or Chinese text: no word boundary there, still a name.
    mixed = Query.parse("ブルームバーグとDecoderでのSuleymanの見通しは？", service.index.framing)
    assert "Decoder" not in mixed.dense_text and "Suleyman" not in mixed.dense_text and "見通し" in mixed.dense_text
    zh = Query.parse("蘇萊曼對蒸餾怎麼看？", service.index.framing)
    assert not any("苏莱" in t or "莱曼" in t for t in zh.tokens) and "蒸馏" in zh.content_words


@pytest.mark.parametrize("question, kept", [
    ("What personal reasons for caring about healthcare does he give in each interview?", "healthcare"),
    ("Does he bring up emotional support in both interviews?", "emotional support"),
    ("Compare what he says about data centers in the two interviews.", "data centers"),
    ("マイクロソフトが信頼される理由について、両インタビューでの説明を比べて。", "信頼される理由"),
    ("他自己平常怎麼用 AI？比較一下兩次訪談的說法。", "平常怎麼用"),
    ("两次访谈里他分别怎么谈算力？", "算力"),
    ("How does what Suleyman says about AI taking over work differ between the Bloomberg and the Decoder interviews?",
     "taking over work"),
])
def test_phrases_pointing_at_the_interviews_are_not_searched(service, question, kept):
    """"in both interviews" says where to look, not what about: left in, it pulls the embedding towards any
    passage about interviews or the media (a Bloomberg side of a compare answer quoted his Economist board seat)."""
    q = Query.parse(question, service.index.framing)
    assert kept in q.dense_text
    for phrase in ("interview", "インタビュー", "比べ", "訪談", "访谈", "比較一下", "說法"):
        assert phrase not in q.dense_text, (phrase, q.dense_text)
    assert not {"次访", "次訪", "下两", "下兩"} & set(q.tokens)


def test_each_and_both_about_something_else_are_kept(service):
    q = Query.parse("Does each model get a different data set?", service.index.framing)
    assert "each model" in q.dense_text


# --- segmentation ---

def test_japanese_and_chinese_are_segmented_into_words():
    assert "意识" in words("他對AI意識有什麼看法？", "zh")
    assert "有意识" in words("有意識地決定", "zh")  # the everyday "consciously" is its own word
    assert "意识" not in words("有意識地決定", "zh")  # ... not also "consciousness"
    ja = words("マイクロソフトは超知能チームを立ち上げた", "ja")
    assert "知能" in ja and "立ち上げる" in ja and "は" not in ja


# --- follow-ups ---

def test_elliptical_follow_up_uses_the_history(service):
    framing = service.index.framing
    q = search_query("Why does he think that?", ["What did he say about distillation?"], framing)
    assert "distil" in q.content_words
    ranked = top_text(service, q, k=3)
    assert any("surpass that teacher" in t or "exceed the teacher" in t for t in ranked)
    ja = search_query("それはなぜ？", ["蒸留について彼は何と言いましたか？"], framing)
    assert ja.content_words and ja.lang == "ja"


@pytest.mark.parametrize("previous, question, from_previous", [
    ("How many gigawatts of compute does Microsoft have?", "What does Microsoft use all that compute for?", "gigawatt"),
    ("MAI-Thinking-1 的技術報告有幾頁？", "那份報告發出來之後，外界反應怎麼樣？", "页"),
    ("スレイマンは医療分野の超知能について何と言っていた？", "それはいつ頃実用化されそう？", "医疗"),
])
def test_a_follow_up_pointing_back_uses_the_history_whatever_else_it_names(service, previous, question, from_previous):
    q = search_query(question, [previous], service.index.framing)
    assert any(from_previous in w for w in q.content_words), q.content_words


@pytest.mark.parametrize("question", [
    "Did he say that AI models are conscious?",
    "Is it true that Microsoft trains its own models?",
    "How many gigawatts of compute does Microsoft have?",
])
def test_that_as_a_conjunction_is_not_pointing_back(service, question):
    q = search_query(question, ["What did he say about distillation?"], service.index.framing)
    assert "distil" not in q.content_words


def test_self_contained_follow_up_ignores_the_history(service):
    framing = service.index.framing
    history = ["What did he say about distillation?"]
    q = search_query("How many gigawatts of compute does Microsoft have?", history, framing)
    assert "distil" not in q.content_words
    with_history = [p.key for p in service.index.search(q, None, 5)]
    alone = [p.key for p in service.index.search("How many gigawatts of compute does Microsoft have?", None, 5)]
    assert with_history == alone
    zh = search_query("微軟和OpenAI的新協議是怎麼運作的？", ["他對蒸餾怎麼看？"], framing)
    assert "蒸馏" not in zh.content_words


def test_service_follow_up_answers_from_history(service):
    first = service.ask("What did he say about distillation?")
    follow = service.ask("Why does he think that?", history=[("What did he say about distillation?", first.answer)])
    assert follow.grounded
    # his reasons are in the distillation turns: the teacher it can't surpass (t036), the short-term win (t038)
    assert {c.chunk_id.rsplit(":", 1)[1].split(".")[0] for c in follow.citations} & {"t036", "t038"}


# --- cross-lingual reach ---

@pytest.mark.parametrize("question", [
    "Is there any agreement not to poach staff between Microsoft and OpenAI?",
    "オープンAIとマイクロソフトの間に引き抜き禁止の合意はありますか？",
])
def test_english_and_japanese_reach_the_chinese_only_tail(service, question):
    ranked = top_text(service, question, k=5, lang="zh")
    assert any("禁止挖角協議" in t for t in ranked)


def test_english_words_no_english_text_uses_still_translate_a_question(service):
    """"poach" is in no English text (the English capture stops before the tail that says 禁止挖角協議), so it
    links English to Chinese for questions only; a compound ("no-poach") the links don't know goes by its words."""
    lexicon = service.index.lexicon
    assert "挖角" in lexicon.translate(["poach"], "en")
    assert "挖角" in lexicon.translate(["no-poach"], "en")
    assert "poach" not in lexicon.cjk_to_en.get("挖角", {})  # never a translation of the Chinese: no text has it
    assert not lexicon.translate(["poach"], "en", searching=False)  # nor a sign the interviews use the word


def test_a_question_in_words_only_the_chinese_tail_uses_is_answered_from_it(service):
    answer = service.ask("is there some kind of no-poaching pact between microsoft and openai? what did suleyman "
                         "say about researchers hopping between labs?")
    assert any(c.chunk_id.endswith("zh:t107") for c in answer.citations)


def test_filters_keep_passages_reachable_through_their_translation(service):
    filters = Filters(interview=BLOOMBERG, lang="zh")
    found = service.index.search("What did he say about jobs and the labour market?", filters, 5)
    assert found and all(c.lang == "zh" and c.interview == BLOOMBERG for p in found for c in p.members.values())
    answer = service.ask("What did he say about jobs and the labour market?", interview=BLOOMBERG, lang="zh")
    assert answer.grounded and all(c.lang == "zh" for c in answer.citations)


def test_hubness_is_the_mean_of_the_nearest_other_passages_chunks():
    from rag.retrieval import hubness

    v = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8], [1.0, 0.0]])
    passage = np.array([0, 1, 2, 0])  # chunks 0 and 3 are one passage (a translation pair): not neighbours
    got = hubness(v, passage, k=1)
    assert np.allclose(got, [0.6, 0.8, 0.8, 0.6])  # 0 and 3 would be 1.0 if a translation counted
    assert np.allclose(hubness(v, passage, k=2, block=1), hubness(v, passage, k=2))  # blocks change nothing


def test_other_languages_are_put_on_the_originals_scale_per_question(service):
    """A translation language's cosines map onto the originals' through a line fitted on linked pairs: the
    linked pairs then sit close together, and the mapping keeps each language's order."""
    index = service.index
    pairs = index._pivot_pairs
    assert set(pairs) == {"ja", "zh"} and all(len(p) > 50 for p in pairs.values())
    dense = index.vectors @ index.store.embeddings.query_vector("distillation from a teacher model")
    mapped = index._on_pivot_scale(dense)
    for lang, pr in pairs.items():
        before = np.abs(dense[pr[:, 0]] - dense[pr[:, 1]]).mean()
        after = np.abs(mapped[pr[:, 0]] - mapped[pr[:, 1]]).mean()
        assert after < 0.9 * before
        idx = index._lang_idx[lang]
        assert (np.argsort(mapped[idx]) == np.argsort(dense[idx])).all()
    en = index._lang_idx["en"]
    assert np.array_equal(mapped[en], dense[en])


def test_the_second_half_of_a_comparison_frame_is_not_searched(service):
    """The issue's own example: left in, "with what he said on" dilutes a one-word topic."""
    q = Query.parse("Compare what he said about jobs in the Bloomberg interview with what he said on Decoder",
                    service.index.framing)
    assert q.dense_text == "about jobs"
    kept = Query.parse("Did he compare jobs with what they pay?", service.index.framing)
    assert "what they pay" in kept.dense_text


def test_a_name_ending_a_clause_takes_the_words_leading_to_it(service):
    framing = service.index.framing
    assert Query.parse("Compare what he said about jobs and work in the Bloomberg interview and on Decoder",
                       framing).dense_text == "about jobs and work"
    assert Query.parse("What did he say about jobs at Bloomberg?", framing).dense_text == "What did he say about jobs ?"
    # inside a clause only the name goes: "about" still leads to the topic
    assert Query.parse("Did he talk to Bloomberg about his mother?", framing).dense_text == "Did he talk to about his mother?"


@pytest.mark.parametrize("question, named", [
    ("Did Suleyman say on Decoder that superintelligence is already here?", "verge-decoder-2026-06-08"),
    ("What did he say about jobs in the Bloomberg interview?", "bloomberg-mishal-husain-2025-12-12"),
    ("ブルームバーグのインタビューで、蒸留について何と言った？", "bloomberg-mishal-husain-2025-12-12"),
    ("他在彭博的采访中怎么谈就业？", "bloomberg-mishal-husain-2025-12-12"),
    ("What did he tell Nilay Patel about chips?", "verge-decoder-2026-06-08"),
    ("Compare what he said at Bloomberg with what he said on Decoder", None),  # both: a comparison
    ("Is AI on the verge of replacing jobs?", None),  # a word, not the outlet (names are capitalised)
    ("What did he say about distillation?", None),
    ("ﾌﾞﾙｰﾑﾊﾞｰｸﾞのインタビューで、蒸留について何と言った？", "bloomberg-mishal-husain-2025-12-12"),  # half-width kana
    ("Ｄｅｃｏｄｅｒで彼は何と言った？", "verge-decoder-2026-06-08"),  # full-width letters
    ("ニライ・パテルにチップについて何と言った？", "verge-decoder-2026-06-08"),  # a host in katakana
    ("What did he say about Elon Musk to Mishal Husain vs to Nilay Patel?", None),  # both hosts: a comparison
])
def test_the_interview_a_question_names(question, named):
    import json
    from pathlib import Path

    from rag.query import interview_named

    manifests = {p.parent.name: json.loads(p.read_text(encoding="utf-8"))
                 for p in Path("data/interviews").glob("*/manifest.json")}
    assert interview_named(question, manifests) == named


@pytest.mark.parametrize("question, interview", [
    ("What did he say about jobs in the Bloomberg interview?", "bloomberg-mishal-husain-2025-12-12"),
    ("Decoder で、雇用について何と言っていましたか？", "verge-decoder-2026-06-08"),
])
def test_a_question_naming_one_interview_is_answered_from_it_alone(indexed_service, question, interview):
    answer = indexed_service.ask(question)
    assert answer.citations and {c.interview for c in answer.citations} == {interview}, answer.answer
    assert {r.interview for r in answer.retrieved} == {interview}


def test_names_in_chinese_characters_are_found_and_glossed():
    """What the unknown-name check reads: jieba's proper nouns of Chinese, Sudachi's kanji ones of Japanese
    (katakana left out), and the English name words CC-CEDICT gives them (none for an acronym gloss)."""
    from rag.segment import chinese_proper_nouns, japanese_kanji_names
    from rag.translate import cedict_name_heads

    assert "特斯拉" in chinese_proper_nouns("苏莱曼对特斯拉的自动驾驶技术怎么看?")
    assert japanese_kanji_names("東京とトヨタと日本") == ["東京", "日本"]
    assert cedict_name_heads("特斯拉") == ["tesla"]
    assert "korea" in cedict_name_heads("韩国")
    assert "kingdom" in cedict_name_heads("英国") and "lian" not in cedict_name_heads("英国")  # pinyin is no name
    assert cedict_name_heads("大亨") == []  # "VIP": an acronym names no one


@pytest.mark.parametrize("question", [
    "What did he say about Elon Musk to Mishal Husain vs to Nilay Patel?",
    "On regulation — what does he tell Mishal Husain vs. what he says on The Verge's podcast?",
    "ミシャル・フセインとニライ・パテルに、規制についてそれぞれ何と言った?",
])
def test_a_question_naming_two_interviews_by_their_hosts_compares_them(indexed_service, question):
    """Naming both interviews by their hosts (or a host and an outlet) asks for both sides, as naming both outlets
    does; each gets its section."""
    a = indexed_service.ask(question)
    assert a.kind == "compare", a.answer
    assert {s.interview for s in a.sections} == {"verge-decoder-2026-06-08", "bloomberg-mishal-husain-2025-12-12"}
