"""The strict base of every table of the priors' files, and their text and list fields.

A priors file is read as it is written: an unknown key, an infinity or NaN, a number written
as text (``effect = "0.20"``), a boolean for a number and a required text that is blank
(``citation = "  "``) are each refused, with the file and the key named
(:func:`model.evidence.schema.parse_file`), never coerced. An integer stays fine where a
decimal number is expected (``baseline = 45``).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


class Strict(BaseModel):
    """A table of the priors' files: no unknown key, no infinity or NaN, no coercion, frozen.

    ``strict`` refuses text and booleans for numbers; a list of the file is read into a
    tuple field declared with :func:`listed`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


Text = Annotated[str, AfterValidator(_not_blank)]
"""A text that must say something: empty or whitespace-only text is refused."""


def listed(default: Any = ..., **constraints: Any) -> Any:
    """A tuple field that the file writes as a TOML array (strict mode alone refuses lists).

    Parameters
    ----------
    default : object, optional
        The value when the key is absent (none: the key is required).
    **constraints
        Further :func:`pydantic.Field` constraints (``min_length``).

    Returns
    -------
    pydantic.fields.FieldInfo
        Its items are still validated strictly by their own types.

    """
    return Field(default, strict=False, **constraints)
