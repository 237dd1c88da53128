"""LangChain's retriever interface over `HybridIndex`: one Document per passage, in the question's language."""

from __future__ import annotations

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from rag.retrieval import Filters, HybridIndex


class HybridRetriever(BaseRetriever):
    """LangChain retriever over `HybridIndex`: one Document per passage, in the question's language."""

    index: HybridIndex
    k: int = 5
    filters: Filters = Filters()
    lang: str | None = None

    model_config = {"arbitrary_types_allowed": True}

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        docs = []
        for p in self.index.search(query, self.filters, self.k):
            shown = p.best_in(self.lang)
            docs.append(Document(page_content=shown.text, id=shown.chunk_id, metadata={
                "chunk_id": shown.chunk_id, "interview": shown.interview, "role": shown.role,
                "speaker": shown.speaker, "lang": shown.lang, "score": p.score,
                "linked_ids": [cid for cid in p.members if cid != shown.chunk_id],
            }))
        return docs
