package enum SamplesPlaceholder {}
