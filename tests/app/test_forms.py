"""HTML form fields become JSON by the schema's types; the engine's validator then judges them."""
from werkzeug.datastructures import MultiDict

from app.forms import coerce
from workflows.forms import validation_errors


SCHEMA = {'type': 'object', 'properties': {
    'n': {'type': 'number'}, 'i': {'type': 'integer'}, 'b': {'type': 'boolean'},
    'tags': {'type': 'array', 'items': {'type': 'string'}}, 's': {'type': 'string'}}}


def test_coerce_uses_schema_types():
    fields = MultiDict([('n', '12.50'), ('i', '3'), ('b', 'false'), ('tags', 'a'), ('tags', 'b'), ('s', ' x ')])
    assert coerce(SCHEMA, fields) == {'n': 12.5, 'i': 3, 'b': False, 'tags': ['a', 'b'], 's': 'x'}


def test_coerce_leaves_bad_numbers_for_the_validator():
    data = coerce(SCHEMA, MultiDict([('n', 'abc'), ('s', '')]))
    assert data == {'n': 'abc'}
    assert list(validation_errors(SCHEMA, data)) == ['n']
