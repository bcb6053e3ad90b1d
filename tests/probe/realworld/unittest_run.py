# expect: none
# expect from 3.12: cycle
# From 3.12 each failing test leaves one exception cycle: the test
# method's exception holds the traceback through testPartExecutor's
# generator frame, whose f_back is contextlib's __exit__ frame, whose
# local holds the exception (gc.DEBUG_SAVEALL under python3.12 finds it).
import io
import unittest


class T(unittest.TestCase):
    def test_ok(self):
        self.assertEqual(1, 1)

    def test_fail(self):
        self.assertEqual(1, 2)

    def test_err(self):
        raise ValueError("x")


if __name__ == "__main__":
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(T)
    result = unittest.TextTestRunner(stream=io.StringIO()).run(suite)
    print(result.testsRun, len(result.failures), len(result.errors))
