/*
 * The hot loop of bridge/sms/fastdecode.py in C: a run of structs of one learnt shape.
 *
 * A shape (fastdecode._Shape) is a struct's bytes with its texts cut out: literal pieces
 * (tags and whitespace exactly as the server laid them out) around groups.  Python's compiled
 * pattern for a shape and this loop accept exactly the same bytes: the leading whitespace
 * [ \t\n]*, each literal byte for byte, and each text as a run of "plain" bytes (none of
 * < > & \r or a C0 control other than \t and \n), which ends at the next '<' by construction
 * (every literal after a text starts with "</").  A typed text may instead be <nil/>.
 * Anything else ends the run where the struct that did not match starts, exactly where the
 * pattern would have stopped; the Python side then decides about that struct.
 *
 * Values are built as the generated Python loop builds them: texts decoded as strict UTF-8
 * (shared ones through the decoder's bytes -> text memo, the same dict), conversions by the
 * same Python callables (a plain decimal int is read here, giving what int() gives), <nil/>
 * and nil members as None.  An Exception while building a value stops the run before that
 * struct and is handed back, as the Python loop hands back its exception; anything else
 * (KeyboardInterrupt, SystemExit) is raised, as it passes through the Python loop.
 *
 * run(buf, pos, spec, items, texts) -> (position after the last struct taken, exception|None)
 * spec = (literals, kinds, opens, closes, actions, converts, keys, rows, memo_limit)
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

#define MAX_GROUPS 512

enum { K_UNTYPED = 0, K_TYPED = 1, K_EMPTY = 2 };
enum { A_DECODE = 0, A_SHARE = 1, A_NONE = 2, A_CONVERT = 3 };

static unsigned char plain[256];

typedef struct {
    Py_ssize_t n;
    const char *lit[MAX_GROUPS + 1];
    Py_ssize_t lit_len[MAX_GROUPS + 1];
    const unsigned char *kinds;   /* unsigned: a byte >= 0x80 is out of range, not negative */
    const unsigned char *actions;
    const char *open[MAX_GROUPS];
    Py_ssize_t open_len[MAX_GROUPS];
    const char *close[MAX_GROUPS];
    Py_ssize_t close_len[MAX_GROUPS];
    PyObject *converts;  /* borrowed tuple */
    PyObject *keys;      /* borrowed tuple of str (the shared names tuple for rows) */
    int rows;
    Py_ssize_t memo_limit;
} Spec;

static int
bytes_at(PyObject *tuple, Py_ssize_t i, const char **p, Py_ssize_t *len)
{
    PyObject *b = PyTuple_GET_ITEM(tuple, i);
    if (!PyBytes_Check(b)) {
        PyErr_SetString(PyExc_TypeError, "spec: bytes expected");
        return -1;
    }
    *p = PyBytes_AS_STRING(b);
    *len = PyBytes_GET_SIZE(b);
    return 0;
}

static int
read_spec(PyObject *spec, Spec *s)
{
    PyObject *literals, *kinds, *opens, *closes, *actions;
    if (!PyTuple_Check(spec) || PyTuple_GET_SIZE(spec) != 9) {
        PyErr_SetString(PyExc_TypeError, "spec: a tuple of 9 expected");
        return -1;
    }
    literals = PyTuple_GET_ITEM(spec, 0);
    kinds = PyTuple_GET_ITEM(spec, 1);
    opens = PyTuple_GET_ITEM(spec, 2);
    closes = PyTuple_GET_ITEM(spec, 3);
    actions = PyTuple_GET_ITEM(spec, 4);
    s->converts = PyTuple_GET_ITEM(spec, 5);
    s->keys = PyTuple_GET_ITEM(spec, 6);
    s->rows = PyObject_IsTrue(PyTuple_GET_ITEM(spec, 7));
    s->memo_limit = PyLong_AsSsize_t(PyTuple_GET_ITEM(spec, 8));
    if (s->rows < 0 || (s->memo_limit == -1 && PyErr_Occurred()))
        return -1;
    if (!PyTuple_Check(literals) || !PyBytes_Check(kinds) || !PyTuple_Check(opens)
        || !PyTuple_Check(closes) || !PyBytes_Check(actions) || !PyTuple_Check(s->converts)
        || !PyTuple_Check(s->keys)) {
        PyErr_SetString(PyExc_TypeError, "spec: wrong item types");
        return -1;
    }
    s->n = PyBytes_GET_SIZE(kinds);
    if (s->n > MAX_GROUPS || PyTuple_GET_SIZE(literals) != s->n + 1
        || PyTuple_GET_SIZE(opens) != s->n || PyTuple_GET_SIZE(closes) != s->n
        || PyBytes_GET_SIZE(actions) != s->n || PyTuple_GET_SIZE(s->converts) != s->n
        || PyTuple_GET_SIZE(s->keys) != s->n) {
        PyErr_SetString(PyExc_ValueError, "spec: sizes do not agree");
        return -1;
    }
    s->kinds = (const unsigned char *)PyBytes_AS_STRING(kinds);
    s->actions = (const unsigned char *)PyBytes_AS_STRING(actions);
    for (Py_ssize_t i = 0; i <= s->n; i++)
        if (bytes_at(literals, i, &s->lit[i], &s->lit_len[i]) < 0)
            return -1;
    for (Py_ssize_t i = 0; i < s->n; i++) {
        if (bytes_at(opens, i, &s->open[i], &s->open_len[i]) < 0
            || bytes_at(closes, i, &s->close[i], &s->close_len[i]) < 0)
            return -1;
        if (s->kinds[i] > K_EMPTY || s->actions[i] > A_CONVERT) {
            PyErr_SetString(PyExc_ValueError, "spec: unknown kind or action");
            return -1;
        }
    }
    return 0;
}

static inline int
literal(const char *buf, Py_ssize_t end, Py_ssize_t *p, const char *lit, Py_ssize_t len)
{
    if (end - *p < len || memcmp(buf + *p, lit, (size_t)len) != 0)
        return 0;
    *p += len;
    return 1;
}

/* A text's end: the first byte that is not plain; 0 when that is not a '<' within buf. */
static inline int
text(const char *buf, Py_ssize_t end, Py_ssize_t *p)
{
    const unsigned char *u = (const unsigned char *)buf;
    Py_ssize_t q = *p;
    while (q < end && plain[u[q]])
        q++;
    *p = q;
    return q < end && buf[q] == '<';
}

/* Match one struct at *p; on success *p is its end and start/len/nil describe each group. */
static int
match(const Spec *s, const char *buf, Py_ssize_t end, Py_ssize_t *p,
      Py_ssize_t *start, Py_ssize_t *len, char *nil)
{
    Py_ssize_t q = *p;
    while (q < end && (buf[q] == ' ' || buf[q] == '\t' || buf[q] == '\n'))
        q++;
    if (!literal(buf, end, &q, s->lit[0], s->lit_len[0]))
        return 0;
    for (Py_ssize_t i = 0; i < s->n; i++) {
        nil[i] = 0;
        switch (s->kinds[i]) {
        case K_UNTYPED:
            start[i] = q;
            if (!text(buf, end, &q))
                return 0;
            len[i] = q - start[i];
            break;
        case K_TYPED:
            if (literal(buf, end, &q, s->open[i], s->open_len[i])) {
                start[i] = q;
                if (!text(buf, end, &q))
                    return 0;
                len[i] = q - start[i];
                if (!literal(buf, end, &q, s->close[i], s->close_len[i]))
                    return 0;
            }
            else if (literal(buf, end, &q, "<nil/>", 6)) {
                nil[i] = 1;
                start[i] = q;
                len[i] = 0;
            }
            else
                return 0;
            break;
        default:  /* K_EMPTY: an empty group */
            start[i] = q;
            len[i] = 0;
        }
        if (!literal(buf, end, &q, s->lit[i + 1], s->lit_len[i + 1]))
            return 0;
    }
    *p = q;
    return 1;
}

/* A plain decimal (optional sign, up to 18 digits) read here; NULL and no error otherwise. */
static PyObject *
small_int(const char *t, Py_ssize_t n)
{
    long long v = 0;
    int neg = 0;
    Py_ssize_t i = 0;
    if (n > 0 && (t[0] == '-' || t[0] == '+')) {
        neg = t[0] == '-';
        i = 1;
    }
    if (n - i < 1 || n - i > 18)
        return NULL;
    for (; i < n; i++) {
        if (t[i] < '0' || t[i] > '9')
            return NULL;
        v = v * 10 + (t[i] - '0');
    }
    return PyLong_FromLongLong(neg ? -v : v);
}

static PyObject *
value(const Spec *s, Py_ssize_t i, const char *t, Py_ssize_t n, char nil, PyObject *texts)
{
    PyObject *raw, *out, *convert;
    if (nil || s->actions[i] == A_NONE)
        Py_RETURN_NONE;
    switch (s->actions[i]) {
    case A_DECODE:
        return PyUnicode_DecodeUTF8(t, n, "strict");
    case A_SHARE:
        raw = PyBytes_FromStringAndSize(t, n);
        if (raw == NULL)
            return NULL;
        out = PyDict_GetItemWithError(texts, raw);
        if (out != NULL) {
            Py_INCREF(out);
            Py_DECREF(raw);
            return out;
        }
        if (PyErr_Occurred()) {
            Py_DECREF(raw);
            return NULL;
        }
        out = PyUnicode_DecodeUTF8(t, n, "strict");
        if (out != NULL && PyDict_GET_SIZE(texts) < s->memo_limit
            && PyDict_SetItem(texts, raw, out) < 0)
            Py_CLEAR(out);
        Py_DECREF(raw);
        return out;
    default:  /* A_CONVERT */
        convert = PyTuple_GET_ITEM(s->converts, i);
        if (convert == (PyObject *)&PyLong_Type && (out = small_int(t, n)) != NULL)
            return out;
        if (PyErr_Occurred())
            return NULL;
        raw = PyBytes_FromStringAndSize(t, n);
        if (raw == NULL)
            return NULL;
        out = PyObject_CallOneArg(convert, raw);
        Py_DECREF(raw);
        return out;
    }
}

static PyObject *
build(const Spec *s, const char *buf, const Py_ssize_t *start, const Py_ssize_t *len,
      const char *nil, PyObject *texts)
{
    PyObject *item, *v;
    if (s->rows) {
        item = PyTuple_New(s->n + 1);
        if (item == NULL)
            return NULL;
        Py_INCREF(s->keys);
        PyTuple_SET_ITEM(item, 0, s->keys);
    }
    else if ((item = PyDict_New()) == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < s->n; i++) {
        v = value(s, i, buf + start[i], len[i], nil[i], texts);
        if (v == NULL) {
            Py_DECREF(item);
            return NULL;
        }
        if (s->rows)
            PyTuple_SET_ITEM(item, i + 1, v);
        else {
            int rc = PyDict_SetItem(item, PyTuple_GET_ITEM(s->keys, i), v);
            Py_DECREF(v);
            if (rc < 0) {
                Py_DECREF(item);
                return NULL;
            }
        }
    }
    return item;
}

static PyObject *
run(PyObject *self, PyObject *args)
{
    Py_buffer view;
    Py_ssize_t pos, p, start[MAX_GROUPS], len[MAX_GROUPS];
    char nil[MAX_GROUPS];
    PyObject *spec, *items, *texts, *item, *exc = NULL;
    Spec s;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*nOO!O!", &view, &pos, &spec, &PyList_Type, &items,
                          &PyDict_Type, &texts))
        return NULL;
    if (read_spec(spec, &s) < 0 || pos < 0 || pos > view.len) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "position outside the buffer");
        PyBuffer_Release(&view);
        return NULL;
    }
    const char *buf = view.buf;
    for (;;) {
        p = pos;
        if (!match(&s, buf, view.len, &p, start, len, nil))
            break;
        item = build(&s, buf, start, len, nil, texts);
        if (item == NULL || PyList_Append(items, item) < 0) {
            PyObject *type, *tb;
            Py_XDECREF(item);
            if (!PyErr_ExceptionMatches(PyExc_Exception)) {
                /* KeyboardInterrupt, SystemExit: not the reply's fault, as in Python's loop */
                PyBuffer_Release(&view);
                return NULL;
            }
            PyErr_Fetch(&type, &exc, &tb);
            PyErr_NormalizeException(&type, &exc, &tb);
            if (exc != NULL && tb != NULL)
                PyException_SetTraceback(exc, tb);
            Py_XDECREF(type);
            Py_XDECREF(tb);
            if (exc == NULL)
                exc = Py_NewRef(Py_None);  /* cannot happen: an error always has a value */
            break;
        }
        Py_DECREF(item);
        pos = p;
    }
    PyBuffer_Release(&view);
    if (exc == NULL)
        return Py_BuildValue("(nO)", pos, Py_None);
    return Py_BuildValue("(nN)", pos, exc);
}

static PyMethodDef methods[] = {
    {"run", run, METH_VARARGS,
     "run(buf, pos, spec, items, texts) -> (end, exception or None): a run of one shape."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_fastrun",
    "The C loop of bridge.sms.fastdecode: a run of structs of one learnt shape.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__fastrun(void)
{
    for (int c = 0; c < 256; c++)
        plain[c] = !(c == '<' || c == '>' || c == '&' || c == '\r'
                     || (c < 0x20 && c != '\t' && c != '\n'));
    return PyModule_Create(&module);
}
