# -*- coding: utf-8 -*-
# Copyright: Contributors to the freelancer.platform collection
# Apache License 2.0

"""Compare a configuration we send with the one AWS answers.

AWS answers a configuration document (a CloudFront DistributionConfig, an S3
lifecycle or CORS configuration) with the keys we sent plus defaults we did not
send. Comparing the two for equality reports a change on every run; comparing
what we send as a subset of the answer does not, and still sees every value we
manage. ``matches`` is that subset comparison:

* a dict matches when each of its keys matches the answer's value; a key the
  answer lacks matches only an empty value (``None``, ``""``, ``[]``, ``{}``, or
  a ``{"Quantity": 0}`` list wrapper), which AWS often leaves out;
* a list matches a list of the same length: lists of scalars as multisets (AWS
  may reorder ``["GET", "HEAD"]``), lists of documents element by element, in
  order (cache behaviours and CORS rules are evaluated in order);
* anything else matches an equal value.
"""

from __future__ import annotations


def is_empty(value):
    """True for None, "", [], {} and dicts holding only empty values or a zero Quantity."""
    if value is None or value == "":
        return True
    if isinstance(value, list):
        return not value
    if isinstance(value, dict):
        return all(is_empty(v) or (k == "Quantity" and v == 0) for k, v in value.items())
    return False


def _is_scalar(value):
    return not isinstance(value, (dict, list))


def matches(desired, current):
    """True when every value of ``desired`` is found in ``current`` (see the module docstring)."""
    if isinstance(desired, dict):
        if not isinstance(current, dict):
            return is_empty(desired) and is_empty(current)
        for key, value in desired.items():
            if key not in current or current[key] is None:
                if is_empty(value):
                    continue
                return False
            if not matches(value, current[key]):
                return False
        return True
    if isinstance(desired, list):
        if not isinstance(current, list):
            return is_empty(desired) and is_empty(current)
        if len(desired) != len(current):
            return False
        if all(_is_scalar(v) for v in desired) and all(_is_scalar(v) for v in current):
            return sorted(desired, key=repr) == sorted(current, key=repr)
        return all(matches(d, c) for d, c in zip(desired, current, strict=True))
    return desired == current


def with_quantities(document):
    """A copy of ``document`` where every ``{"Items": [...]}`` wrapper carries its ``Quantity``.

    CloudFront wraps each list in ``{"Quantity": n, "Items": [...]}``; the caller
    gives the items only. An empty ``Items`` list is dropped (``Quantity: 0``).
    """
    if isinstance(document, list):
        return [with_quantities(v) for v in document]
    if not isinstance(document, dict):
        return document
    result = {k: with_quantities(v) for k, v in document.items()}
    if isinstance(result.get("Items"), list):
        result["Quantity"] = len(result["Items"])
        if not result["Items"]:
            del result["Items"]
    return result
