"""What turns a fitted pipeline's scores into decisions: probabilities of default mapped back
to the real base rate (``calibration=``) and the decision threshold (``threshold=``)."""
