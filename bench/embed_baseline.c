/* embed_baseline.c — the least an embedder does: start the same libpython
 * exclab links, isolated, and run one file. No threads, no probes. The
 * benchmark compares it with exclab to separate the cost of embedding from
 * the cost of exclab's probes. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

int main(int argc, char **argv)
{
	PyConfig config;
	PyStatus status;
	PyObject *globals, *name, *out;
	FILE *f;

	if (argc < 2) {
		fprintf(stderr, "usage: embed_baseline FILE.py [ARG...]\n");
		return 2;
	}
	PyConfig_InitIsolatedConfig(&config);
	config.site_import = 0;
	PyConfig_SetBytesString(&config, &config.program_name, EXCLAB_PYTHON_EXE);
	PyConfig_SetBytesArgv(&config, argc - 1, argv + 1);
	status = Py_InitializeFromConfig(&config);
	PyConfig_Clear(&config);
	if (PyStatus_Exception(status))
		Py_ExitStatusException(status);
	f = fopen(argv[1], "r");
	if (f == NULL) {
		perror(argv[1]);
		return 2;
	}
	globals = PyDict_New();
	name = PyUnicode_FromString("__main__");
	PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins());
	PyDict_SetItemString(globals, "__name__", name);
	out = PyRun_FileEx(f, argv[1], Py_file_input, globals, globals, 1);
	if (out == NULL)
		PyErr_Print();
	Py_XDECREF(out);
	Py_DECREF(name);
	Py_DECREF(globals);
	return Py_FinalizeEx() < 0 || out == NULL ? 1 : 0;
}
