"""A decision's path as a Mermaid flowchart: AI alone → threshold → human
approver → escalation → fallback, as boxes and arrows with escaped labels.

A flowchart is a picture; screen readers get its text alternative from
Mermaid's ``accTitle`` and ``accDescr`` (the SVG's ``<title>`` and ``<desc>``):
the decision's row of the decision table in words, then every step of the
path (:attr:`Flow.title`, :attr:`Flow.description`, escaped by
:func:`specgen.text.mermaid_description`)."""

from __future__ import annotations

from dataclasses import dataclass

from specgen.site.environment import number
from specgen.spec.schema import Autonomy, Decision
from specgen.text import Md, mermaid_description, mermaid_label

__all__ = ["Flow", "FlowEdge", "FlowNode", "decision_flow"]


_SHAPES = {"box": ("[", "]"), "round": ("([", "])"), "diamond": ("{", "}"), "subroutine": ("[[", "]]")}


@dataclass(frozen=True)
class FlowNode:
    """A box in a decision's flowchart."""

    id: str
    text: str
    shape: str = "box"
    """box, round (start/end), diamond (a test) or subroutine (a fallback)."""
    style: str = "step"
    """step, ai, human, escalation or fallback: what kind of step it is."""

    @property
    def mermaid(self) -> Md:
        """The node in Mermaid syntax, its text escaped: ``id["text"]``."""
        opening, closing = _SHAPES[self.shape]
        return Md(f'{self.id}{opening}"{mermaid_label(self.text)}"{closing}')


@dataclass(frozen=True)
class FlowEdge:
    """An arrow between two boxes, with an optional label; dotted for exceptions."""

    source: str
    target: str
    text: str = ""
    dotted: bool = False

    @property
    def mermaid(self) -> Md:
        """The arrow in Mermaid syntax, its label escaped: ``a -->|label| b``."""
        arrow = "-.->" if self.dotted else "-->"
        text = f"|{mermaid_label(self.text, 40)}|" if self.text else ""
        return Md(f"{self.source} {arrow}{text} {self.target}")


@dataclass(frozen=True)
class Flow:
    """The path of one decision: AI alone → threshold → human approver →
    escalation → fallback, as boxes and arrows for a Mermaid flowchart."""

    nodes: tuple[FlowNode, ...]
    edges: tuple[FlowEdge, ...]
    title: str = ""
    """The accessible title: 'Decision flow: <decision>'."""
    summary: str = ""
    """The decision's row of the decision table, in words (the long description)."""

    @property
    def steps(self) -> str:
        """Every arrow of the path in words: 'From Case arrives to AI decides: ....'."""
        text = {n.id: n.text for n in self.nodes}
        parts = []
        for edge in self.edges:
            how = f" ({edge.text})" if edge.text else ""
            parts.append(f"From {text[edge.source]}{how} to {text[edge.target]}.")
        return " ".join(parts)

    @property
    def description(self) -> str:
        """The long description: the table row, then the steps."""
        return " ".join(part for part in (self.summary, self.steps) if part)

    @property
    def accessible(self) -> Md:
        """The ``accTitle`` and ``accDescr`` lines of the Mermaid source, escaped."""
        return Md(
            f"accTitle: {mermaid_description(self.title, 200)}\n  accDescr: {mermaid_description(self.description)}"
        )


def decision_flow(
    decision: Decision, *, approver: str, escalation_to: str, who_decides: str = "", threshold: str = ""
) -> Flow:
    """The decision's path as a flowchart: AI → threshold → human → escalation → fallback.
    ``approver`` is who approves or decides, in words; ``escalation_to`` who the
    decision escalates to and how fast, in words; ``who_decides`` and
    ``threshold`` are the decision table's words for them (the text alternative)."""
    autonomy = decision.autonomy
    verb = {
        Autonomy.ai_alone: "AI decides",
        Autonomy.human_approves: "AI proposes",
        Autonomy.human_decides: "AI assists",
    }[autonomy]
    nodes = [FlowNode("start", "Case arrives", "round"), FlowNode("ai", f"{verb}: {decision.title}", style="ai")]
    edges = [FlowEdge("start", "ai")]
    escalation = decision.escalation
    if escalation is not None:
        text = "Escalate to " + escalation_to
        nodes.append(FlowNode("escalation", text, style="escalation"))
    last, passed = "ai", ""
    if decision.confidence_threshold is not None:
        nodes.append(FlowNode("threshold", f"Confidence ≥ {number(decision.confidence_threshold)}?", "diamond"))
        edges.append(FlowEdge("ai", "threshold"))
        last, passed = "threshold", "yes"
    if autonomy is Autonomy.ai_alone:
        nodes.append(FlowNode("act", "AI acts alone; reviewed after the fact", "round", "ai"))
        edges.append(FlowEdge(last, "act", passed))
        if last == "threshold":
            edges.append(FlowEdge(last, "escalation" if escalation else "fallback", "no"))
    else:
        action = "approves or rejects" if autonomy is Autonomy.human_approves else "decides"
        nodes.append(FlowNode("human", f"{approver} {action}", style="human"))
        nodes.append(FlowNode("done", "Decision takes effect", "round"))
        edges.append(FlowEdge(last, "human", passed))
        if last == "threshold":
            edges.append(FlowEdge(last, "escalation" if escalation else "human", "no"))
        edges.append(FlowEdge("human", "done"))
        if escalation is not None:
            edges.append(FlowEdge("human", "escalation", "cannot settle", dotted=True))
    fallback = decision.fallback or "none written"
    nodes.append(FlowNode("fallback", f"Fallback: {fallback}", "subroutine", "fallback"))
    edges.append(FlowEdge("ai", "fallback", "AI unavailable", dotted=True))
    row = [
        ("Who decides", who_decides or verb),
        ("The AI acts alone only when", threshold or "no threshold"),
        ("Human approver", approver if autonomy is not Autonomy.ai_alone else "none"),
        ("Escalation", escalation_to or "none"),
        ("Fallback when the AI is unavailable", fallback),
    ]
    summary = f"{decision.title}. " + " ".join(f"{k}: {v}." for k, v in row)
    return Flow(tuple(nodes), tuple(edges), title=f"Decision flow: {decision.title}", summary=summary)
