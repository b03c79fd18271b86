ScottPlot.Plot plot = new();
plot.Add.Bars([1.0, 2.0, 3.0]);
plot.Title("test");
plot.SaveSvg("/tmp/curves-test.svg", 600, 400);
Console.WriteLine("ok");
