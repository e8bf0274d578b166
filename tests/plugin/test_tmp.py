def test_x(pytester):
    pytester.makepyfile("def test_a(): pass")
    pytester.runpytest_subprocess().assert_outcomes(passed=1)
    pytester.runpytest_inprocess().assert_outcomes(passed=1)
