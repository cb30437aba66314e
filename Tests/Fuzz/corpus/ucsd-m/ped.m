TestVideoFile = {};
%% clips
TestVideoFile{end+1}.gt_frame = [61:180];
TestVideoFile{end+1}.gt_frame = [5:90, 140:200];
TestVideoFile{3}.gt_frame = [1 4 7:9];
