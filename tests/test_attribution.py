"""Attribution decisions: which questions ask "did he say X", what the claim X is, and the answer that says
whose words X really were — checked over the real index against the curated turn maps and manifests."""

from __future__ import annotations

import pytest

from evals.truth import curated_truth
from interview_qa.settings import Settings
from rag.extractive import asks_attribution, claim_of, compose_attribution
from rag.retrieval import Filters


@pytest.mark.parametrize("question, asks", [
    ("Did Suleyman say that Grok was distilled?", True),
    ("Did he ever say superintelligence is near?", True),
    ("Is it true that he said AI is a new species?", True),
    ("What did he say about distillation?", False),
    ("How did he say Microsoft trains models?", False),
    ("Tell me about his chips.", False),
    ("スレイマン氏はGrokが蒸留されたと言いましたか？", True),
    ("彼は蒸留について何と言いましたか？", False),
    ("蘇萊曼說過人工智能已經超越人類嗎？", True),
    ("他有沒有說過微軟要自己做晶片", True),
    ("他為什麼說過這句話？", False),
    # other verbs of saying: called, likened, admitted, mentioned, described as
    ("スレイマンはイーロン・マスクをブルドーザーと呼んだ？", True),
    ("スレイマンはOpenAIとの関係に浮き沈みがあったと認めた？", True),
    ("彼は規制が大半の技術を良くしたって言ってた？", True),
    ("苏莱曼提到过他刚从中国回来吗？", True),
    ("蘇萊曼把馬斯克形容成推土機嗎？", True),
    ("AIが自分で目標を立てる能力はいつ頃現れると予測している？", False),  # いつ: when, an open question
    ("チャットボットで役立つ体験をしている人はどれくらいいると言っている？", False),
    ("是苏莱曼自己说Copilot既是朋友、又是治疗师、几乎还是家人吗？", True),  # 几乎 "almost" is no question word
    # "is it he who…", and other verbs of citing
    ("Is it Suleyman who said Grok had been distilled from other models?", True),
    ("Was it really Mustafa Suleyman who called Musk a bulldozer?", True),
    ("Is it likely that he thinks regulation is needed?", False),
    ("是苏莱曼引用了哈萨比斯的那句话吗？", True),
    # a question word inside the words asked about (如何, between 说过 and 吗) does not make it open
    ("苏莱曼说过他对人工智能记者将如何重振地方新闻感到非常兴奋吗？", True),
    ("苏莱曼说过人工智能记者如何工作？", False),  # no closing 吗: it asks how
    # "who said X?" asks whose words X are too; "who is / who interviewed" ask something else
    ("Who called Musk a bulldozer?", True),
    ("Who pointed out that Suleyman was put on leave in 2019?", True),
    # a model's name is no verb of saying ("MAI-Thinking-1" holds "think")
    ("Did Microsoft distill other models to build MAI-Thinking-1?", False),
    ("Who said everyone's distilling everything?", True),
    ("「スーパーインテリジェンスはもう来ている」と言ったのは誰ですか？", True),
    ("誰がマスクをブルドーザーと呼んだ？", True),
    ("是谁说马斯克像推土机？", True),
    ("說「我媽媽是名護士」的人是誰？", True),
    ("Ｄｉｄ Ｓｕｌｅｙｍａｎ ｓａｙ ｔｈａｔ Ｇｒｏｋ ｗａｓ ｄｉｓｔｉｌｌｅｄ？", True),  # full-width letters
    # "did he mention…" (有沒有提到 / 是否提過 / …に触れましたか); 談到 ("talk about") asks about a topic
    ("苏莱曼有没有提到 Meta 在2025年推出了带显示屏的 Ray-Ban AI 眼镜？", True),
    ("蘇萊曼是否提過他父親是計程車司機？", True),
    ("スレイマン氏はMetaのAIグラスについて触れましたか？", True),
    ("スレイマン氏は、中国が2022年以降、一連のAI規制を導入してきたと説明しましたか？", True),  # explained, pointed out
    ("他在訪談裡有沒有談到中國？", False),
    # the guest named between the words and the saying verb ("…、とスレイマン氏は述べましたか？")
    ("若者ほどAIに反感を強めていると世論調査が示している、とスレイマン氏は述べましたか？", True),
    ("新モデルの学習にはオープンウェブのデータを使っていない、と彼は言いましたか？", True),
    ("中国がAI生成コンテンツへのラベル表示などの規制を導入してきたとスレイマン氏は語りましたか？", True),  # などの
    ("マイクロソフトには33ギガワットの計算能力がある、って彼言ってた?", True),  # the particle dropped
    ("安全だと証明できるまでは開発を続けない——スレイマンはそう言った?", True),  # said so
    ("社会として自分たちの目的は何かを決めなければならない、ってスレイマンが言ったの?", True),  # 何か: "what", inside
    ("彼は何と言ったの？", False),
    ("Has he given up on calling for a financial stability board for AI?", False),  # calling for: advocating
    # hearsay, then "Did he say that?"; a leading phrase, then "did he quote…"; 引用; "…という発言は、彼のものですか"
    ("I read that Suleyman said Elon Musk once called him an NPC. Did he say that?", True),
    ('Someone quoted Suleyman as saying "It\'s a funny thing, technology." Did he really say that?', True),
    ('In the Decoder interview, did Suleyman quote Satya Nadella saying "I don\'t want to be Intel"?', True),
    ("蘇萊曼是不是引用了李飛飛的話“我所做的每一件事都會產生後果”?", True),
    ("「そのようなパートナーシップが永遠に続くものではない」という発言は、スレイマンのものですか?", True),
    ("Did he call for regulation?", False),
    ("Did he call Musk a bulldozer?", True),
    # "出自" (comes from), a tag after "He said…", a quote then "Who said that?"
    ("“我研读历史,回顾社交媒体革命”——这句话出自苏莱曼吗?", True),
    ("He said the shopping agent completes purchases without asking, didn't he?", True),
    ('Suleyman said "I recommend it" — is that right?', True),
    ("He thinks AI is conscious, right?", False),
    ("'That sounds exactly like Elon.' Who said that — Suleyman?", True),
    ("どの会社が一番だと彼は言った?", False),
    ("自分は法律の出身なのでいつも法律分野を例に挙げる、とスレイマン氏は言いましたか？", True),  # いつも
    ("法律が専門だとスレイマン氏は言いましたが、いつですか？", False),
    ("Who is the guest?", False),
    ("Who interviewed him on Decoder?", False),
    ("他說誰的模型最好？", False),
    # "was it he who pointed out…" (any verb of saying); "…は本人の発言ですか"; a cleft "…的，是蘇萊曼嗎" (哪怕: "even if")
    ("Was it Suleyman who pointed out that the AI race comes down to two countries?", True),
    ("Was it Suleyman who noted that superintelligence is coming?", True),
    ("Was it Suleyman who was interviewed on Decoder?", False),
    ("スレイマン氏が19歳でオックスフォードを中退したという説明は、本人の発言ですか？", True),
    ("「超知能は来ている」はスレイマン氏の言葉ですか？", True),
    ("說美國的醫療哪怕只改善10%，也會深刻影響很多人生活的，是蘇萊曼嗎？", True),
    ("认为微软的人文主义路线可能和它证明AI投资合理的需要相冲突的，是苏莱曼本人吗？", True),
    ("打造這個模型的，是蘇萊曼的團隊嗎？", False),
    # "was that his line?", "a Suleyman quote?", "his words?", "是蘇萊曼的原話嗎", "something he said"
    ("「This year's Build had the vibe of a freshly single divorcée」 — was that Suleyman's line?", True),
    ('Is "superintelligence is coming" a Suleyman quote?', True),
    ('Are those his words: "everyone is distilling everything"?', True),
    ("「我不想成为英特尔」是苏莱曼的原话吗？", True),
    ("Is it something Suleyman said, that AI is a new species?", True),
    ("マイクロソフトには33ギガワットの計算能力がある、ってスレイマン氏言ってたよね?", True),  # …よね: a tag
    ("蒸留は短期的な勝利だと言ったっけ?", True),
    ("I heard him say it costs half what it did two years ago — is that what he said?", True),
    ('He\'s the one who called distillation "a bit of a short-term win", isn\'t he?', True),
    ("I heard Suleyman said that the more young people use AI, the more they dislike it — true?", True),  # hearsay
    ("Suleyman admitted the internet economy has been winner-take-all — right?", True),
    ("Foundryにはモデルがいくつ入ってるって言ってた?", False),  # いくつ: how many, asked openly
    ("Was that his first job?", False),
    ("Is this his own company?", False),
    # "does he think / believe X?" asks his view, yes or no, not whether he said some words
    ("Does Suleyman think superintelligence has already arrived?", False),
    ("Does Suleyman believe in universal basic income?", False),
])
def test_asks_attribution(question, asks):
    assert asks_attribution(question) is asks


@pytest.mark.parametrize("question, claim", [
    ("Did Suleyman say that Grok was distilled from a number of models?", "Grok was distilled from a number of models"),
    ("Did he ever mention open source?", "open source"),
    ("Does he claim that scale is all you need?", "scale is all you need"),
    ("Is it true that he said AI is a species?", "AI is a species"),
    ("スレイマン氏はGrokが蒸留されたと言いましたか？", "Grokが蒸留された"),
    ("他有沒有說過微軟要自己做晶片？", "他 微軟要自己做晶片"),
    # quoted words are the claim, whatever frames them (the guest's name is never part of it)
    ("「検証不可能な報酬を内部化することの課題は」と言ったのはスレイマン本人？", "検証不可能な報酬を内部化することの課題は"),
    ("說「我媽媽是名護士」的是蘇萊曼嗎？", "我媽媽是名護士"),
    ("Was it Suleyman who said “everyone's distilling everything”?", "everyone's distilling everything"),
    ("苏莱曼是不是说过他们的一位关键人物跳槽去了苹果？", "他们的一位关键人物跳槽去了苹果"),
    ("Who said that superintelligence is already here?", "superintelligence is already here"),
    ("Who called Musk a bulldozer?", "called Musk a bulldozer"),
    ("苏莱曼有没有提到 Meta 推出了 AI 眼镜？", "Meta 推出了 AI 眼镜"),
    ("?", "?"),
    ("Did he mention Xbox?", "Xbox"),
    ("Is it Suleyman who said Grok had been distilled?", "Grok had been distilled"),
    # where or to whom it was said is not part of what was said
    ("Did Suleyman say on Decoder that superintelligence is already here?", "superintelligence is already here"),
    ("Did he say in the Bloomberg interview that AI is superhuman?", "AI is superhuman"),
    ("Did he tell Mishal Husain that he is a centrist?", "he is a centrist"),
    ("Did he say “zebra” or “a longer claim than that”?", "a longer claim than that"),  # the longest quote
    ("Was it Suleyman who pointed out that the race comes down to two countries?", "the race comes down to two countries"),
    ("Is it something Suleyman said, that AI is a new species?", "AI is a new species"),
    ("若者はAIに反感を強めている、とスレイマン氏は述べましたか？", "若者はAIに反感を強めている、"),
    ("蒸留は使っていない、と彼は言いましたか？", "蒸留は使っていない、"),
    # words quoted inside a longer claim are part of it, not all of it
    ("Copilot Actions はまだ「開発モード」で、一般提供はされていないとスレイマン氏は言っていましたか?",
     "Copilot Actions はまだ開発モードで、一般提供はされていない"),
    ("安全だと証明できるまでは開発を続けない——スレイマンはそう言った?", "安全だと証明できるまでは開発を続けない——"),
    # the frame around the name, before and after the claim; single quotes quote, apostrophes don't
    ("提到新任 Xbox 負責人拿掉 AI、玩家很開心的,是蘇萊曼嗎?", "新任 Xbox 負責人拿掉 AI、玩家很開心"),
    ("公共部門でも働いた経験がある、と言ったのはスレイマン本人?", "公共部門でも働いた経験がある、"),
    ("He said the shopping agent completes purchases without asking, didn't he?",
     "the shopping agent completes purchases without asking"),
    ("'That sounds exactly like Elon.' Who said that — Suleyman?", "That sounds exactly like Elon."),
    ("Did he say ‘I don’t want to be Intel’?", "I don’t want to be Intel"),
    ("I read that Suleyman said Elon Musk once called him an NPC. Did he say that?", "Elon Musk once called him an NPC"),
    ('In the Decoder interview, did Suleyman quote Satya Nadella saying "I don\'t want to be Intel"?',
     "I don't want to be Intel"),
    ("Did he say he'd said 'tasks' and not 'jobs' to the FT?", "he'd said 'tasks' and not 'jobs' to the FT"),
])
def test_claim_of(question, claim):
    assert claim_of(question) == claim


@pytest.fixture(scope="module")
def service(indexed_service):
    return indexed_service


def truth_for(service, citation) -> dict:
    chunk = service.index.by_id[citation.chunk_id].to_json()
    return curated_truth({chunk["chunk_id"]: chunk}, Settings.from_env().interviews_dir)[chunk["chunk_id"]]


@pytest.mark.parametrize("question, lang, frame, their_words, reply_frame", [
    ("Did Suleyman say that Grok was distilled from a number of models?", "en",
     "No — that was Nilay Patel (the host), not Mustafa Suleyman (The Verge (Decoder), 2026-06-08):",
     "Grok was distilled from a number of models", "Mustafa Suleyman's reply:"),
    ("スレイマン氏は、Grokが複数のモデルから蒸留されたと言いましたか？", "ja",
     "いいえ — それはNilay Patel（聞き手）の発言で、ムスタファ・スレイマン氏の言葉ではありません（The Verge (Decoder)、2026-06-08）：",
     "Grok", "これに対するムスタファ・スレイマン氏の返答："),
])
def test_someone_elses_words_are_attributed_to_them_then_the_guests_reply(service, question, lang, frame,
                                                                         their_words, reply_frame):
    a = service.ask(question)
    assert a.grounded and a.answer_lang == lang
    lines = a.answer.split("\n")
    assert lines[0] == frame
    first = a.citations[0]
    assert their_words in first.quote or their_words in (first.original.quote if first.original else "")
    assert lines[1].startswith("1. “") and lines[1].endswith(f"” — {first.speaker}")
    assert reply_frame in lines
    reply = a.citations[-1]
    assert len(a.citations) >= 2 and reply.role == "guest"
    for c in a.citations:  # every role and name as the curated map and manifest say, not as the index says
        truth = truth_for(service, c)
        assert (c.role, c.speaker) == (truth["role"], truth["speaker"]), c


def test_a_claim_of_several_sentences_he_said_word_for_word_is_a_yes(service):
    # No single sentence holds these words; the two together do, in a reply that opens "No, no, no."
    a = service.ask('Did Suleyman say "I said tasks. So that does not mean jobs."?')
    assert a.verdict == "yes" and a.citations[0].role == "guest"
    assert "So that does not mean jobs" in a.citations[0].quote
    # His words, found, are the answer: no passage about something else is quoted after them.
    assert len(a.citations) == 1 and a.answer.count("\n") == 0, a.answer


@pytest.mark.parametrize("question, first_line, verdict, role", [
    ("Who said everyone's distilling everything?",
     "Nilay Patel (the host) said it, not Mustafa Suleyman (The Verge (Decoder), 2026-06-08):", "no", "host"),
    ("Who called Elon Musk a bulldozer?", "Mustafa Suleyman said it (Bloomberg, 2025-12-12):", "yes", "guest"),
    ("「スーパーインテリジェンスはもう来ている」と言ったのは誰ですか？",
     "Nilay Patel（聞き手）の発言で、ムスタファ・スレイマン氏の言葉ではありません（The Verge (Decoder)、2026-06-08）：", "no", "host"),
    ("是谁说马斯克像推土机？", "這是穆斯塔法·蘇萊曼說的（Bloomberg，2025-12-12）：", "yes", "guest"),
])
def test_who_said_it_names_the_speaker_first(service, question, first_line, verdict, role):
    """An open "who said X?" gets the who-said shape: a first line naming whose words they are (no yes or no),
    then those words; the verdict field still says whether they were the guest's."""
    a = service.ask(question)
    assert a.kind == "who_said" and a.verdict == verdict, a.answer
    assert a.answer.startswith(first_line), a.answer
    first = a.citations[0]
    assert (first.role, truth_for(service, first)["role"]) == (role, role)
    # the Japanese capture's stray bold markers ("**") never open or close a quote
    assert not any(c.quote.startswith(("*", " ")) or c.quote.endswith(("*", " ")) for c in a.citations), a.answer


def test_an_editors_note_is_the_outlets(service):
    a = service.ask("Did Suleyman say he is a keen reader?")
    first = a.citations[0]
    truth = truth_for(service, first)
    assert (first.role, first.speaker) == (truth["role"], truth["speaker"]) == ("editor", truth["speaker"])
    assert a.answer.split("\n")[0] == (f"No — that was {truth['speaker']} (an editor's note), not Mustafa Suleyman "
                                      "(Bloomberg, 2025-12-12):")
    assert a.verdict == "no" and a.kind == "who_said"


@pytest.mark.parametrize("question, verdict, role", [
    # his own words, asked in the words of the translation: yes, with the sentence quoted
    ("說「我媽媽是名護士,我深信科技的存在是為了服務于我們」的是蘇萊曼嗎？", "yes", "guest"),
    ("「検証不可能な報酬を内部化することの課題は、コードにも存在します」と言ったのはスレイマン本人？", "yes", "guest"),
    ("スレイマン氏は「検証不可能な報酬を内部化することの課題は、コードにも存在します」と言いましたか？", "yes", "guest"),
    ("スレイマン氏は「したがって、私たちは2つの理由から非常に意図的に行動してきました」と言いましたか？", "yes", "guest"),
    ("スレイマン氏は「そのことに驚きや問題があるとは思いませんが、それは避けられないことだと考えています」と言いましたか？",
     "yes", "guest"),
    # his, though the turn map once gave it to the host: it sits between two of his paragraphs and argues his side
    ('Did Suleyman say "Now, just for a moment, empathize a little bit with the small-scale business owner"?',
     "yes", "guest"),
    ("スレイマン氏は「今少しの間、小規模な事業主や、子供の宿題を手伝っているお母さんの立場に立って共感してみてください」と言いましたか？",
     "yes", "guest"),
    # his words, asked in other words, holding a negation of their own ("分配不均"): the evidence's agrees
    ('苏莱曼说过"我们已经生活在一个富足的世界里,只是分配不均"吗？', "yes", "guest"),
    # the host's words, asked in the translation's words: no, and whose they were
    ("「Build について話しましょう。まずはスーパーインテリジェンスから始めたいと思います」と言ったのはスレイマン本人？", "no", "host"),
    ("蘇萊曼說過「我只是好奇,有沒有什么方面會讓你停下來思考」嗎？", "no", "host"),
    ("「これらはすべて同じものを指しているのでしょうか」と言ったのはスレイマン本人？", "no", "host"),
])
def test_exact_words_settle_who_said_them_in_every_language(service, question, verdict, role):
    """Words found as written (a translation's too) decide the verdict: a guest sentence once got "いいえ"
    because his reply happened to contain "ません", and "非常" (very) read as a negation."""
    a = service.ask(question)
    assert a.kind == "who_said" and a.verdict == verdict, a.answer
    assert a.grounded
    first = a.citations[0]
    assert (first.role, truth_for(service, first)["role"]) == (role, role)


@pytest.mark.parametrize("question, verdict", [
    ("スレイマンは、クリエイターや出版社の不満はまったく理解できないと言いましたか。", "no"),
    # "No, no, no. Hold on a sec. … I said tasks. So that does not mean jobs.": the "No" answers the host
    ("Did Suleyman say that saying tasks does not mean jobs?", "yes"),
])
def test_did_he_say_is_read_against_his_words_not_his_replys_opening_word(service, question, verdict):
    """"Yeah. No, I understand the frustration." opens with a yes to the host; asked whether he said he can't
    understand it at all, the answer is no. "No, no, no. … that does not mean jobs" opens with a no to the host;
    asked whether he said tasks don't mean jobs, the answer is yes."""
    a = service.ask(question)
    assert a.kind == "who_said" and a.verdict == verdict, a.answer


@pytest.mark.parametrize("question, verdict", [
    ("Did Suleyman say MAI-Thinking-1 was built by distilling OpenAI's models?", "no"),
    ("Did he say MAI-Thinking-1 was distilled from OpenAI's models to get to the frontier faster?", "no"),
    ("苏莱曼是否说过“我们要打造的是一个团队,而不是一群个体”?", "yes"),  # the claim sets aside itself
])
def test_did_he_say_what_his_reply_sets_aside_with_rather_than_is_a_no(service, question, verdict):
    """"…rather than just re-implementation, copying, or distillation" answers "did he say they distilled?" with a
    no, as it answers the yes/no question; his words there were once found to bear the claim out."""
    a = service.ask(question)
    assert a.kind == "who_said" and a.verdict == verdict, a.answer


@pytest.mark.parametrize("question", [
    "若者ほどAIを使えば使うほど反感を強めていると世論調査が示している、とスレイマン氏は述べましたか?",
    "自分は法律の出身なのでいつも法律分野を例に挙げる、とスレイマン氏は言いましたか？",  # いつも: not "when"
])
def test_did_he_say_with_his_name_before_the_saying_verb_finds_the_hosts_words(service, question):
    """"…、とスレイマン氏は述べましたか？" asks whether he said it, as "…と述べましたか？" does: these are the host's
    words, once answered "はい" from a reply of his ("Fair enough.") or quoted as an open question."""
    a = service.ask(question)
    assert a.kind == "who_said" and a.verdict == "no", a.answer
    assert a.citations[0].role == "host"


@pytest.mark.parametrize("text, negative", [
    ("這對我來說是一個非常重要的領域。", False),
    ("不過,我們還是做了。", False),
    ("人が少ないです。", False),
    ("我不這麼認為。", True),
    ("私はそうは思いません。", True),
    ("I don't see any evidence.", True),
    ("我爸媽不太重視教育。", True),
    # negations that deny nothing: not knowing a thing asserts it; "non-profit", "not only", "have to" affirm
    ("They’re also a nonprofit, which I think a lot of people don’t realize.", False),
    ("その患者人口の65%がメディケイドを利用していることを、多くの人が知らないと思います。", False),
    ("彼らは非営利団体です。", False),
    ("很多人不知道這家醫院的大多數病人使用醫療補助。", False),
    ("It’s not only chat, it’s productivity too.", False),
    ("我們不得不非常謹慎。", False),
    ("社会として自分たちの目的は何かを決めなければならない。", False),  # "must"
    ("你會看到一些素不相識的人在星巴克里閱讀科學論文。", False),  # strangers
    ("もっと慎重にならなくてはいけません。", False),
    ("バイアスについては以前ほど議論されなくなった。", True),  # no longer
    ("弁護士の職そのものがなくなる。", False),  # a job disappearing denies nothing
    ("慎重にやらないといけない。", False),
    # a negation inside a condition denies nothing; a turn to the contrary denies without one
    ("If it doesn't pass that test, people will reject it, and they'll be right to.", False),
    ("もしそれがこの試練を達成できないのであれば、人々はそれを拒絶するでしょう。", False),
    ("如果它做不到,人們就會拒絕它。", False),
    ("If it works, we won't need it.", True),
    ("事實上,這反而加深了我和朋友們之間的感情。", True),
    ("むしろ、友人との関係は深まりました。", True),
    ("If anything, it has brought us closer.", True),
    # "might be" is no denial
    ("おそらくそれは『フィナンシャル・タイムズ』にとってさえも微妙すぎたかもしれません。", False),
    ("それは正しいかもしれない。", False),
    # "inevitable", "indispensable" affirm
    ("全民基本收入是不可避免的。", False),
    ("それは避けられないと思います。", False),
])
def test_negation_is_not_read_into_words_that_only_look_negative(text, negative):
    from rag.answers.verdict import negates

    assert negates(text) is negative


@pytest.mark.parametrize("question, evidence, overstated", [
    ("Does he think superintelligence has already arrived?", "I said it's coming.", True),
    ("Does he think superintelligence has already arrived?", "It's already here, in some domains.", False),
    ("新モデルの学習データはすべてお金を払って購入したものですか？", "私たちのデータの多くはオープンウェブから取得しています。", True),
    ("他認為這種合作關係會永遠持續下去嗎？", "所有好的關係都會演變。", True),
    ("他認為這種合作關係會永遠持續下去嗎？", "我認為它會永遠持續。", False),
    ("Did Microsoft hold the licence until 2032?", "Until 2032, we have a licence to everything.", False),  # nothing absolute asked
    # the only one, alone
    ("苏莱曼说 MAI-Thinking-1 是微软发布的唯一一款新模型吗?", "我們發布了七款新模型。", True),
    ("その決定は彼一人で下したものですか?", "私たちはチームで決めました。", True),
    ("苏莱曼和弟弟真的独自生活过吗？", "我和弟弟獨自生活了一段時間。", False),
    ("Is MAI-Thinking-1 the only model they released?", "It is the only model we released this week.", False),
])
def test_an_absolute_the_evidence_does_not_bear_out_is_a_no(question, evidence, overstated):
    from rag.answers.verdict import overstates, verdict

    assert overstates(question, evidence) is overstated
    assert verdict([], evidence, question) == ("no" if overstated else "yes")


@pytest.mark.parametrize("question, evidence, verdict_given", [
    # the evidence names another of the kind asked about: no, without a negation
    ("苏莱曼当初想把 Inflection 创办在美国吗?", "我原本很想在英國創辦 Inflection。", "no"),
    ("Is Microsoft's image editing model ranked first in the world?", "Our image model is now number two.", "no"),
    ("Is Mayo Clinic a for-profit hospital?", "They're also a nonprofit, which a lot of people don't realize.", "no"),
    # the one asked about is named (among others), or none of the kind is: the evidence decides as before
    ("Did he want to start Inflection in the UK?", "I really wanted to start Inflection in the UK.", "yes"),
    ("Is Mayo Clinic a nonprofit?", "They're also a nonprofit.", "yes"),
    ("Does he think the US leads China?", "The US is ahead, and China is close behind.", "yes"),
    ("Did he want to start Inflection in the UK?", "Technology is here to serve us.", "yes"),  # "us" is no country
    ("Was it the first model they trained?", "It's a general-purpose thinking model.", "yes"),
    ("微軟的圖像編輯模型目前排名世界第一嗎？", "Our image editing model is number three right behind Google's.", "no"),
    ("他说 MAI-Transcribe-1.5 在全球只排第三?", "MAI-Transcribe-1.5 is literally the number one in the world.", "no"),
    ("Was the new contract signed in December?", "It culminated in a new contract that we got done in October.", "no"),
    ("新しい契約は10月に結ばれたのですか?", "It culminated in a new contract that we got done in October.", "yes"),
    ("Will the next cycle last 6 months?", "We'll see in May how it went.", "yes"),  # a span, not June
    ("画像モデルは2番目ですか?", "Our image model is number two.", "yes"),
    ("這是他第一次去中國嗎？", "我剛從中國回來,這是第二次。", "yes"),  # 第一次 (the first time) is no rank
    # cities; dearer or cheaper; a degree finished or left; where on the political spectrum
    ("チーム全員が集まるミーティングはシアトルで開かれるのですか？", "再来週には、私のチーム全員がボストンに4日間集まります。", "no"),
    ("Is the team meeting in Boston?", "My entire team comes together in person in Boston for four days.", "yes"),
    ("Is Microsoft's Maia 200 chip more expensive than a GB200?", "We ship a chip that is 30 percent cheaper than a GB200.", "no"),
    ("Maia 200 チップは GB200 より安く作れるのですか?", "GB200 より 30% 安く製造できるチップです。", "yes"),
    ("Maia 200 晶片比 GB200 貴嗎?", "We ship a chip that is 30 percent cheaper than a GB200.", "no"),  # 比…貴: dearer
    ("Maia 200ってGB200より30%高いんでしょ?", "We ship a chip that is 30 percent cheaper than a GB200.", "no"),
    ("He calls himself far left these days?", "I'm sort of a centrist these days.", "no"),
    ("Did Suleyman finish his degree at Oxford?", "So I dropped out and helped start Muslim Youth Helpline.", "no"),
    ("スレイマン氏は、自分は政治的に右派だと考えていますか？", "I'm sort of a centrist these days. I definitely started as a lefty.", "no"),
    ("Did he start out on the left?", "I definitely started as a lefty.", "yes"),
    ("蘇萊曼開始用 Copilot 傾訴之後,就不再和好朋友打電話聊天了嗎?", "我仍然每個周末都給最好的朋友們打電話,好好聊聊天。", "no"),
    ("Does he still call his friends every weekend?", "I still call my best friends every weekend.", "yes"),
    # what someone does for a living
    ("Was Suleyman's dad a doctor?", "Pretty working class. My dad was a cab driver.", "no"),
    ("苏莱曼的爸爸是出租车司机吗？", "我家是典型的工薪階層。我爸是出租車司機。", "yes"),
    ("スレイマン氏の母親は医者でしたか？", "My mum was a nurse and I'm a big believer in technology.", "no"),
    # other labs' models, and publications
    ("Is CodeFlash on par with Opus 4.6?", "It's a really great model that's on par with Sonnet 4.6.", "no"),
    ("苏莱曼是不是说 CodeFlash 和 GPT-5.5 水平相当?", "It's a really great model that's on par with Sonnet 4.6.", "no"),
    ("Is MAI-Thinking-1 on par with Opus 4.6?", "It's now roughly on par with Opus 4.6, at least on the benchmarks.", "yes"),
    ("Isn't Suleyman on the board of the Financial Times?", "我也是《經濟學人》的董事會成員。", "no"),
    ("スレイマンはエコノミストの取締役ですか?", "I'm also on the board of The Economist.", "yes"),
])
def test_evidence_naming_another_of_the_kind_asked_about_is_a_no(question, evidence, verdict_given):
    from rag.answers.verdict import verdict

    assert verdict([], evidence, question) == verdict_given


@pytest.mark.parametrize("question, text, rejected", [
    ("Did Microsoft distill other models?", "We can push the frontier with research, rather than just copying or distillation.", True),
    ("マイクロソフトは他社モデルを蒸留しましたか？", "他社からの再実装やコピー、蒸留に頼るのではなく、実際の研究を通じて", True),
    ("他們是不是在招攬個人？", "我們致力于打造一個團隊,而不是一群個體。", False),  # 個體 is not 個人
    ("扎克伯格是在组建团队吗？", "即大量招聘個人,而不是組建團隊。", True),
    ("Did they do real research?", "We can push the frontier with research, rather than just copying or distillation.", False),
])
def test_what_his_reply_sets_aside_with_rather_than_is_a_no(question, text, rejected):
    from rag.answers.verdict import rejects

    assert rejects(question, [text]) is rejected


@pytest.mark.parametrize("question, evidence, misstated", [
    ("Is the Maia 200 chip 40% cheaper than a GB200?", "We ship a chip that is 30 percent cheaper than a GB200.", True),
    ("Maia 200 は GB200 より 30% 安いのですか？", "We ship a chip that is 30 percent cheaper than a GB200.", False),
    ("Microsoft は Build で 7 つの新モデルを発表しましたか?", "We launched seven new models at Build.", False),
    ("Did they launch nine new models?", "We launched seven new models at Build.", True),
    ("Will the next cycle run for 8 weeks?", "Our next cycle will run for six to eight weeks.", False),  # inside the range
    ("Will the next cycle run for 10 weeks?", "Our next cycle will run for six to eight weeks.", True),
    ("穆拉蒂的初創公司融資了將近20億美元嗎？", "Her startup raised close to $2 billion at a $10 billion valuation.", False),
    # calendar years come in relations ("beyond 2030?" — "the 2019 agreement… until 2032"): left to them
    ("Is the licence good until 2032?", "Until 2032, we have a licence to everything.", False),
    ("Will the partnership run beyond 2030?", "The agreement OpenAI signed in 2019 made it build AGI.", False),
    # a name's number ("Maia 200", "Opus 4.6"), or a figure of another measure, is no figure to contradict
    # (another version, "Opus 4.5", is another model: tests/test_answer_shapes.py)
    ("Is MAI-Thinking-1 on par with Opus 4.6?", "It's roughly on par with Opus 4.6 on 4 of the 5 benchmarks.", False),
    ("Does the team meet for 4 days?", "The week after next, the team meets for a week.", False),
    # a span of years is a figure like any other; a figure asked in a relation ("more than", "以上") is not stated
    ("Did they work together every day for five years?", "We worked together every day for 10 years.", True),
    ("5年間、毎日一緒に働いていましたか?", "We worked together every day for 10 years.", True),
    ("Did they work together for more than five years?", "We worked together every day for 10 years.", False),
    ("5年以上一緒に働いていましたか?", "We worked together every day for 10 years.", False),
    ("他们合作超过5年了吗?", "We worked together every day for 10 years.", False),
    ("Is it at least 20% cheaper?", "It is 30 percent cheaper.", False),
    # …unless every figure of its measure falls outside the bound asked ("100年以上先?" — "20 or 30 years")
    ("機械が人間を上回るのは100年以上先だと考えている?", "Over the next 20 or 30 years, machines will be more capable.", True),
    ("Will it take more than 100 years?", "Over the next 20 or 30 years, machines will be more capable.", True),
    ("Will it happen within five years?", "Over the next 20 or 30 years, machines will be more capable.", True),
    ("Will it happen within 50 years?", "Over the next 20 or 30 years, machines will be more capable.", False),
    ("Did they work together for more than 20 years?", "We met in 2010 and worked together every day for 10 years.", True),
    ("Will it happen within 50 years?", "By 2030 machines will be more capable.", False),  # a date bounds no span
    # a span in another unit of time: "three years?" against "18 months", not against "36 months" or "within a year"
    ("Did he say agents might take three years, worst case?", "Maybe worst case, 18 months.", True),
    ("Did he say agents might take three years, worst case?", "Maybe worst case, 36 months.", False),
    ("Will it take 12 months?", "It will happen within a year.", False),
    ("Will it take four weeks?", "It will take a month.", False),
    ("Maia 200チップはGB200より5割も安い?", "We ship a chip that is 30 percent cheaper than a GB200.", True),  # 5割: 50%
    ("Maia 200チップはGB200より3割安い?", "We ship a chip that is 30 percent cheaper than a GB200.", False),
])
def test_a_figure_the_evidence_gives_otherwise_is_a_no(question, evidence, misstated):
    from rag.answers.figure import misstates_figure
    from rag.answers.verdict import verdict

    assert misstates_figure(question, evidence) is misstated
    assert verdict([], evidence, question) == ("no" if misstated else "yes")


def test_a_misstated_figure_is_a_no_whatever_the_reply_opens_with(service):
    """His "是的。" answered the host's question, not the user's: "三年?" against "十年" is a no."""
    answer = service.ask("苏莱曼和哈萨比斯是不是一起工作了三年?")
    assert answer.verdict == "no", answer.answer
    assert "十年" in answer.answer or "10 years" in answer.answer, answer.answer
    assert service.ask("Did Suleyman say he and Demis Hassabis worked together every day for 10 years?").verdict == "yes"


@pytest.mark.parametrize("question, reply, miscounted", [
    ("Did Microsoft announce nine new models at Build?", "So since October… We have seven new models across all the modalities.", True),
    ("Did Microsoft announce seven new models at Build?", "We have seven new models across all the modalities.", False),
    ("Did Microsoft announce more than five new models?", "We have seven new models across all the modalities.", False),
    # another noun, or nothing counted in the reply: nothing to contradict
    ("Did they hire nine researchers?", "We have seven new models across all the modalities.", False),
    ("Did Microsoft announce nine new models at Build?", "It was a big shift for us.", False),
])
def test_a_count_the_reply_gives_otherwise_anywhere_is_miscounted(question, reply, miscounted):
    from rag.answers.figure import miscounts

    assert miscounts(question, [reply]) is miscounted


def test_a_count_the_lead_reply_gives_otherwise_beyond_the_quoted_words_is_a_no(service):
    """The quoted window of the lead reply is about the Superintelligence team; its "seven new models" is further on."""
    answer = service.ask("Did Microsoft announce nine new models at Build?")
    assert answer.verdict == "no", answer.answer
    assert "seven new models" in answer.answer.splitlines()[0], answer.answer  # the words that make it a no lead


@pytest.mark.parametrize("question, reply, restated", [
    ("Is he still calling for a financial stability board?", "No, I'm still calling for those things.", True),
    ("蘇萊曼仍然呼籲設立金融穩定委員會嗎？", "不,我仍然在呼吁這些措施。", True),
    ("スレイマン氏は今も呼びかけていますか？", "No, I'm still calling for those things.", True),
    # the rest denies, or says something else: the "No" stands
    ("Is he still calling for a financial stability board?", "No, I'm not calling for a financial stability board.", False),
    ("Is the risk of AI overblown?", "No, I think the risk is real.", False),
    ("Is he still calling for a financial stability board?", "Yes, I'm still calling for those things.", False),
])
def test_a_no_that_answers_the_hosts_framing_is_read_past(question, reply, restated):
    """"So you've given up on those calls?" — "No, I'm still calling for those things.": asked whether he still
    calls for them, the answer is yes."""
    from rag.answers.verdict import restates

    assert restates(question, reply) is restated


def test_a_no_that_answers_the_hosts_framing_gives_a_yes(service):
    assert service.ask("Does Suleyman still call for a financial stability board for AI?").verdict == "yes"
    assert service.ask("蘇萊曼仍然呼籲為AI設立金融穩定委員會嗎？").verdict == "yes"
    assert service.ask("Has he given up on calling for a financial stability board for AI?").verdict == "no"


def test_another_of_the_kind_named_in_the_quoted_words_around_the_best_sentence_is_a_no(service):
    # "Our Maia 200 chip is actually an outstanding chip" answers best; the next sentence says "30 percent cheaper"
    a = service.ask("Is Microsoft's Maia 200 chip more expensive than a GB200?")
    assert a.kind == "yes_no" and a.verdict == "no", a.answer


@pytest.mark.parametrize("question", [
    # his sentence holds almost all the claim's words, but says "cheaper", not "pricier" / "貴" (dearer)
    "Did Suleyman say that Microsoft can manufacture and ship a chip that is 30 percent pricier than a GB200 inside "
    "its own clusters?",
    "他是否說Maia 200晶片比GB200貴30%?",
])
def test_did_he_say_words_naming_another_of_their_kind_than_his_is_a_no(service, question):
    a = service.ask(question)
    assert a.kind == "who_said" and a.verdict == "no", a.answer


def test_a_yes_no_question_about_what_he_did_rather_than_is_a_no(service):
    a = service.ask("Was MAI-Thinking-1 built by distilling outputs from other companies' models?")
    assert a.kind == "yes_no" and a.verdict == "no", a.answer


@pytest.mark.parametrize("claim, evidence, said", [
    # a claim that is itself negative is borne out by negative evidence, and the reverse
    ("Meta 那种一个一个地挖人的做法并不可取", "我并不認為這是正確的方法。", "yes"),
    ("我们已经生活在一个富足的世界里,只是分配不均", "我們生活在一個物質豐富的世界,只是分配不均而已。", "yes"),
    ("AI is not conscious", "It is not conscious, and we shouldn't pretend it is.", "yes"),
    ("AI is conscious", "It is not conscious.", "no"),
    ("Meta 那种做法是对的", "我并不認為這是正確的方法。", "no"),
])
def test_whether_he_said_it_compares_the_evidence_negation_with_the_claims(claim, evidence, said):
    from rag.answers.verdict import verdict

    assert verdict([], evidence, claim=claim, claim_quoted=True) == said


def test_a_claim_in_the_questions_own_words_needs_its_absolute_and_its_kind_borne_out():
    from rag.answers.verdict import verdict

    team = "In fact, the week after next, my entire Superintelligence team comes together in person in Boston."
    assert verdict([], team, claim="superintelligence is already here") == "no"
    assert verdict([], team, claim="his team meets in Seattle") == "no"
    assert verdict([], team, claim="his team meets in Boston") == "yes"
    # quoted words may render his loosely: "已经" not in his sentence doesn't make them someone else's
    said = "我們生活在一個物質豐富的世界,只是分配不均而已。"
    assert verdict([], said, claim="我们已经生活在一个富足的世界里,只是分配不均", claim_quoted=True) == "yes"


def test_a_sentence_turned_against_by_the_next_is_read_with_it():
    from rag.extractive import with_contrast

    text = "It's true that the model might fit that distribution. But it's very unclear they would surpass it. Next."
    first = (0, text.index(" But"))
    assert text[slice(*with_contrast(text, first))].endswith("surpass it.")
    plain = "It's true that the model might fit that distribution. So we did it."
    assert with_contrast(plain, (0, plain.index(" So"))) == (0, plain.index(" So"))


def test_words_asked_about_in_another_language_are_shown_in_the_questions(service):
    """A Japanese question quoting the host's English words: the host's turn and the guest's reply are both
    quoted from the Japanese translation, with the English beside them."""
    a = service.ask("スレイマン氏は「Grok was distilled from a number of models」と言いましたか？")
    assert a.verdict == "no" and [c.role for c in a.citations] == ["host", "guest"]
    assert all(c.lang == "ja" and c.original is not None for c in a.citations), [c.lang for c in a.citations]


def test_the_guests_reply_is_numbered_and_quoted_after_their_words(service):
    a = service.ask("Did Suleyman say that Grok was distilled from a number of models?")
    lines = a.answer.split("\n")
    reply = a.citations[-1]
    assert reply.role == "guest" and len(a.citations) >= 2
    at = lines.index("Mustafa Suleyman's reply:")
    assert lines[at + 1] == f"{len(a.citations)}. “{reply.quote}” — {reply.speaker}"


GROK = "Did Suleyman say that Grok was distilled from a number of models?"


def test_without_a_way_to_find_the_reply_only_their_words_are_quoted(service):
    speakers = service.index.who_said(claim_of(GROK), Filters(), set())
    assert speakers
    draft = compose_attribution(GROK, "en", speakers, service.manifests(), None)
    assert {c.role for c in draft.citations} <= {"host", "editor"}
    assert "reply" not in draft.answer


def test_the_reply_follows_every_passage_of_their_words(service):
    """Two host passages quoted, then the guest's reply to the first: the reply line quotes the reply."""
    first = service.index.who_said(claim_of(GROK), Filters(), set())[0]
    other = service.index.passage_of(next(c.chunk_id for c in service.index.chunks if c.role == "host"
                                          and c.lang == "en" and service.index.group[c.chunk_id] != first.key))
    draft = compose_attribution(GROK, "en", [first, other], service.manifests(), service._next_guest_turn)
    assert [c.role for c in draft.citations] == ["host", "host", "guest"]
    reply = draft.citations[-1]
    assert draft.answer.split("\n")[-1] == f"3. “{reply.quote}” — {reply.speaker}"


def test_the_guests_exact_words_lead_the_passages_answered_from(service):
    """_attribute: his own words found as asked come first (scored as the best retrieved passage, so the
    relevance margin counts from it), every other retrieved passage kept once, and nobody else is named."""
    claim = "検証不可能な報酬を内部化することの課題は、コードにも存在します"
    passages = service.index.search("code verification rewards", Filters(), 10)
    speakers, answered_from, said = service._attribute(claim, Filters(), passages)
    assert speakers == [] and said is True
    lead = answered_from[0]
    assert lead.role == "guest" and any(claim in c.text for c in lead.members.values())
    assert lead.score == passages[0].score
    assert [p.key for p in answered_from[1:]] == [p.key for p in passages if p.key != lead.key]
    assert len({p.key for p in answered_from}) == len(answered_from)
    _, alone, _ = service._attribute(claim, Filters(), [])
    assert [p.key for p in alone] == [lead.key] and alone[0].score == 0.0


def test_someone_elses_exact_words_name_them_and_leave_the_passages_alone(service):
    claim = "Build について話しましょう。まずはスーパーインテリジェンスから始めたいと思います"
    passages = service.index.search("superintelligence", Filters(), 10)
    speakers, answered_from, said = service._attribute(claim, Filters(), passages)
    assert said is False and answered_from == passages
    assert speakers and speakers[0].role == "host"


def test_words_found_nowhere_as_asked_fall_back_to_whose_words_match_best(service):
    claim = "Grok had been distilled from several other models"  # the host's point, not his exact words
    assert service.index.saying(claim, Filters()) == []
    passages = service.index.search("Grok distillation", Filters(), 10)
    speakers, answered_from, said = service._attribute(claim, Filters(), passages)
    assert said is False and answered_from == passages
    assert [p.key for p in speakers] == [p.key for p in service.index.who_said(claim, Filters(),
                                                                               service._guest_name_tokens)]
    assert speakers and speakers[0].role == "host"


@pytest.mark.parametrize("question, lang", [
    ("Did Suleyman really call Elon Musk a bulldozer?", "en"),
    ("蘇萊曼說過馬斯克像推土機嗎？", "zh"),
])
def test_a_hosts_question_asserts_nothing_the_guests_reply_completes_the_claim(service, question, lang):
    """The host asked about Elon Musk ("how would you describe him?"); "a bulldozer" was the guest's answer."""
    a = service.ask(question)
    assert a.verdict == "yes" and a.citations[0].role == "guest"
    assert ("bulldozer" if lang == "en" else "推土機") in a.citations[0].quote


def test_words_a_host_asks_about_stay_the_hosts_when_the_reply_adds_none(service):
    # "the Trump administration is not into regulation" is all in the host's question; the reply adds none of it.
    a = service.ask("Did Suleyman say the Trump administration isn't into regulation?")
    assert a.verdict == "no" and a.citations[0].role == "host"


def test_words_said_in_another_language_are_found_by_meaning(service):
    # A Japanese question about a Bloomberg footnote, which exists only in English and Chinese: no word of the
    # question settles it, so the sentence closest in meaning does, and it is the outlet's.
    claim = claim_of("スレイマンは中国が2022年以降AI規制を次々に導入したと言った？")
    assert service.index.who_said(claim, Filters(), service._guest_name_tokens) == []
    by_meaning = service.index.who_said_by_meaning(claim, Filters())
    assert by_meaning and by_meaning[0].role == "editor"
    a = service.ask("スレイマンは中国が2022年以降AI規制を次々に導入したと言った？")
    assert a.verdict == "no" and a.citations[0].role == "editor" and "China" in a.citations[0].quote


@pytest.mark.parametrize("question", [
    "Did Suleyman say he went to a very good school?",
    "スレイマンは父親がタクシー運転手だったと言った？",  # his words exist in English and Chinese only
])
def test_the_guests_own_words_by_meaning_stay_his(service, question):
    assert service.index.who_said_by_meaning(claim_of(question), Filters()) == []


def test_a_hosts_question_is_no_claim_by_meaning_either(service):
    # The host asked about distillation; the guest said a distilled model is unlikely to surpass its teacher.
    # The host's question is the closest in meaning, but it asserts nothing.
    assert service.index.who_said_by_meaning("distillation lets a model surpass its teacher", Filters()) == []


@pytest.mark.parametrize("question", ["スレイマンは父親がタクシー運転手だったと言った？", "スレイマンは、自分は最近は中道派だと言った？"])
def test_a_host_telling_the_guest_his_own_story_does_not_make_it_the_hosts_words(service, question):
    """The host's turns match these words best ("Your mother was a nurse, but the family you grew up in…", "You've
    said your politics are different from his…"), but they speak to the guest about himself; he tells it in his
    own words ("My dad was a cab driver.", "I'm sort of a centrist these days."), and that decides."""
    answer = service.ask(question)
    assert answer.verdict == "yes", answer.answer
    assert answer.citations[0].role == "guest"


def test_a_host_speaking_of_himself_is_still_the_hosts_words(service):
    answer = service.ask("Did Suleyman say that Grok was distilled from a number of models?")
    assert answer.verdict == "no" and answer.citations[0].role == "host", answer.answer


@pytest.mark.parametrize("question", ["スレイマン氏は自分が読書家だと言いましたか？", "Did Suleyman say he is a keen reader?"])
def test_an_outlets_note_matching_the_claim_best_gets_a_no(service, question):
    """Only Bloomberg's footnote says he "appears to be a keen reader": the answer is no, the note quoted without
    its footnote number."""
    answer = service.ask(question)
    assert answer.verdict == "no", answer.answer
    assert answer.citations[0].role == "editor"
    assert answer.citations[0].quote.startswith("Suleyman also appears to be a keen reader")


def test_a_figure_only_the_guest_gives_is_his_in_any_language(service):
    """"33ギガワット…、って言ってたよね?": his "33 吉瓦" is in the Chinese-only tail, while the Japanese host words
    match the claim's other words; the figure settles whose words they are, and the quote is the one giving it
    (not his opening "不,完全不是", which answered the host)."""
    a = service.ask("マイクロソフトには33ギガワットの計算能力がある、ってスレイマン氏言ってたよね?")
    assert a.kind == "who_said" and a.verdict == "yes", a.answer
    assert a.citations[0].role == "guest" and "33" in a.citations[0].quote, a.answer


@pytest.mark.parametrize("question, host_question, opposite", [
    ("主持人问明年圣诞能不能用AI代理买礼物,他是不是觉得基本不可能?",
     "By this time next year, could I be buying my Christmas presents using an autonomous AI agent?", True),
    ("Does he think it won't happen?", "Could I be buying my presents with an agent?", True),
    ("実現しないと考えていますか?", "Could I be buying my presents with an agent?", True),
    # negations that only make the question ("Didn't he…?", 是不是, 有没有, …ませんでしたか) ask nothing opposite
    ("Didn't Suleyman say agents would work next year?", "Could I be buying my presents with an agent?", False),
    ("他不是说过会实现吗?", "Could I be buying my presents with an agent?", False),
    ("実現すると言っていませんでしたか?", "Could I be buying my presents with an agent?", False),
    ("他有没有说会实现?", "Could I be buying my presents with an agent?", False),
    ("他能理解創作者對 AI 公司抓取作品的不滿嗎？", "Do you understand the frustration from creatives?", False),  # 不滿
    ("微軟有33吉瓦算力,沒錯吧?", "Could I be buying my presents with an agent?", False),  # 沒錯吧: a tag
    # nor when the host asked the negation too ("You don't think…?" — "No.")
    ("Does he think it won't happen?", "You don't think it will happen?", False),
])
def test_a_question_asking_the_negation_of_the_hosts(question, host_question, opposite):
    from rag.answers.verdict import asks_the_opposite

    assert asks_the_opposite(question, host_question) is opposite


def test_his_opening_yes_to_the_host_is_a_no_to_the_negation_asked(service):
    """The host asked whether she could buy presents with an agent next Christmas; "I'm pretty certain that you will
    be." answers "does he think it basically impossible?" no."""
    a = service.ask("主持人问明年圣诞能不能用AI代理买礼物,他是不是觉得基本不可能?")
    assert a.kind == "yes_no" and a.verdict == "no", a.answer


@pytest.mark.parametrize("question, denial", [
    ("Does he think it won't happen?", True),
    ("スレイマン氏は、緊急の規制は必要ないと考えていますか?", True),
    ("他是不是觉得基本不可能?", True),
    ("Does he reckon it's unlikely I'll be buying gifts with an AI agent by next year?", True),
    # negations that only make the question, sit inside a noun or set one thing against another
    ("Didn't he say it would happen?", False),
    ("Is there a no-poach agreement between Microsoft and OpenAI?", False),
    ("微软和OpenAI之间有互不挖角的协议吗?", False),
    ("マイクロソフトと OpenAI の間には、互いの社員を引き抜かないという協定がありますか?", False),
    ("Did he insist he'd said 'tasks' and not 'jobs'?", False),
    ("他是不是认为全民基本收入既不可避免又值得追求?", False),
])
def test_what_a_question_asks_may_itself_be_a_denial(question, denial):
    from rag.answers.verdict import asks_a_denial

    assert asks_a_denial(question) is denial


@pytest.mark.parametrize("question, evidence, verdict_given", [
    # a denial asked, borne out by a denial; a plain question denied
    ("Does he think Microsoft won't keep building a system that could run away from us?",
     "We won't continue to develop a system that can run away from us.", "yes"),
    ("Will Microsoft keep building a system that could run away from us?",
     "We won't continue to develop a system that can run away from us.", "no"),
    # a denial asked that the evidence doesn't make
    ("Does he think AI won't take any jobs?", "We are going to be automating more and more of this work.", "no"),
    ("微軟訓練新模型用的資料,是不是全都花錢買來的?", "我們購買了大量的數據。", "no"),  # 全都: all
])
def test_a_denial_asked_is_read_against_the_evidences(question, evidence, verdict_given):
    from rag.answers.verdict import verdict

    assert verdict([], evidence, question) == verdict_given


def test_a_claims_negation_inside_a_noun_denies_nothing():
    """"Did he say there's a no-poach (互不挖角) agreement?" against "當然不存在任何禁止挖角協議": a no, though both
    hold a negation; the claim's sits inside a noun."""
    from rag.answers.verdict import verdict

    evidence = "當然不存在任何禁止挖角協議——那不合法。"
    assert verdict([], evidence, claim="微软和OpenAI之间有互不挖角的协议") == "no"
    assert verdict([], evidence, claim="微软和OpenAI之间不存在禁止挖角的协议") == "yes"


@pytest.mark.parametrize("question, claim", [
    ("他不是说过他爸爸是开出租车的吗?", "他  他爸爸是开出租车的"),  # "didn't he say…": the 不是 frames the question
    ("I heard Suleyman said that the more young people use AI, the more they dislike it — true?",
     "the more young people use AI, the more they dislike it"),
])
def test_the_claim_of_a_negated_or_hearsay_did_he_say(question, claim):
    assert claim_of(question) == claim


def test_an_opening_no_does_not_deny_the_figure_his_reply_gives(service):
    """"微软是不是有33吉瓦的算力?": his reply opens "不,完全不是" to the host and goes on "我們擁有 33 吉瓦的計算能力"."""
    a = service.ask("微软是不是有33吉瓦的算力?")
    assert a.kind == "yes_no" and a.verdict == "yes", a.answer


@pytest.mark.parametrize("question", [
    "彼はエコノミスト誌の取締役会にも入ってるって言ってた?",
    "スレイマン氏は『エコノミスト』の取締役会のメンバーだと話していますか?",
])
def test_a_claim_naming_what_only_the_guest_names_is_his(service, question):
    """"The Economist's board" is his, in the Chinese-only tail (《經濟學人》的董事會), not the Japanese host's words
    about OpenAI's board, which match the claim's other words."""
    a = service.ask(question)
    assert a.verdict == "yes", a.answer
    assert a.citations[0].role == "guest" and "經濟學人" in a.citations[0].quote
